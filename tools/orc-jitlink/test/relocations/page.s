# R_AARCH64_ADR_PREL_PG_HI21 (Page21) with R_AARCH64_ADD_ABS_LO12_NC and LDST8/16/32/64/128_ABS_LO12_NC
# (PageOffset12, scaled by the access size of the load or store: 1, 2, 4, 8, 16 bytes). Every LD/ST form the
# compiler emits is covered (GPR loads, stores, sign-extending loads, SIMD&FP B/H/S/D/Q registers, PRFM), the
# variables sit at chosen page offsets around a page boundary, and Page21 is exercised at both ends of its
# +-4 GiB range via `label + addend`.
#
# Layout: .data (RW-) at 0x10000000 (two pages), .text (R-X) at 0x10002000.
# RUN: orc-jitlink -noexec -slab-allocate 1Mb -slab-address 0x10000000 -check %s %s

  .text
  .globl main
  .p2align 2
  .type main,%function
main:
  ret

# jitlink-check: byte_var = 0x10000ff7
# jitlink-check: dword_var = 0x10001008
# jitlink-check: qword_var = 0x10001020
# jitlink-check: main = 0x10002000

# ADRP + ADD: the ADRP's page delta is negative here (data below code).
# jitlink-check: decode_operand(adrp_add, 1) = byte_var[63:12] - adrp_add[63:12]
# jitlink-check: decode_operand(adrp_add, 1) = 0xfffffffffffffffe
# jitlink-check: (*{4}adrp_add)[31:24] & 0x9f = 0x90
# jitlink-check: (*{4}adrp_add)[4:0] = 8
# jitlink-check: decode_operand(adrp_add + 4, 2) = byte_var[11:0]
# jitlink-check: decode_operand(adrp_add + 4, 2) = 0xff7
# jitlink-check: (*{4}(adrp_add + 4))[9:0] = 0x109
# jitlink-check: decode_operand(adrp_add + 8, 2) = 0xfff
# jitlink-check: decode_operand(adrp_add + 12, 1) = 0xffffffffffffffff
# jitlink-check: decode_operand(adrp_add + 16, 2) = 0
  .globl adrp_add
adrp_add:
  adrp x8, byte_var
  add x9, x8, :lo12:byte_var
  add x10, x8, :lo12:byte_var + 8
  adrp x11, byte_var + 9
  add x11, x11, :lo12:byte_var + 9

# LDST8: LDRB, STRB, LDRSB (W and X), LDR/STR B: no scaling.
# jitlink-check: decode_operand(ldst8, 2) = 0xff7
# jitlink-check: decode_operand(ldst8 + 4, 2) = 0xff7
# jitlink-check: decode_operand(ldst8 + 8, 2) = 0xff8
# jitlink-check: decode_operand(ldst8 + 12, 2) = 0xff7
# jitlink-check: decode_operand(ldst8 + 16, 2) = 0xff7
# jitlink-check: decode_operand(ldst8 + 20, 2) = 0xff7
  .globl ldst8
ldst8:
  ldrb w0, [x8, :lo12:byte_var]
  strb w0, [x8, :lo12:byte_var]
  ldrsb w1, [x8, :lo12:byte_var + 1]
  ldrsb x1, [x8, :lo12:byte_var]
  ldr b0, [x8, :lo12:byte_var]
  str b0, [x8, :lo12:byte_var]

# LDST16: offset / 2.
# jitlink-check: decode_operand(ldst16, 2) = half_var[11:1]
# jitlink-check: decode_operand(ldst16, 2) = 0x7fd
# jitlink-check: decode_operand(ldst16 + 4, 2) = 0x7fd
# jitlink-check: decode_operand(ldst16 + 8, 2) = 0x7fe
# jitlink-check: decode_operand(ldst16 + 12, 2) = 0x7fd
# jitlink-check: decode_operand(ldst16 + 16, 2) = 0x7fd
  .globl ldst16
ldst16:
  ldrh w0, [x8, :lo12:half_var]
  strh w0, [x8, :lo12:half_var]
  ldrsh x2, [x8, :lo12:half_var + 2]
  ldr h1, [x8, :lo12:half_var]
  str h1, [x8, :lo12:half_var]

# LDST32: offset / 4.
# jitlink-check: decode_operand(ldst32, 2) = word_var[11:2]
# jitlink-check: decode_operand(ldst32, 2) = 0x3ff
# jitlink-check: decode_operand(ldst32 + 4, 2) = 0x3ff
# jitlink-check: decode_operand(ldst32 + 8, 2) = 0x3ff
# jitlink-check: decode_operand(ldst32 + 12, 2) = 0x3ff
# jitlink-check: decode_operand(ldst32 + 16, 2) = 0
  .globl ldst32
ldst32:
  ldr w0, [x8, :lo12:word_var]
  str w0, [x8, :lo12:word_var]
  ldrsw x3, [x8, :lo12:word_var]
  ldr s2, [x8, :lo12:word_var]
  str s2, [x8, :lo12:word_var + 4]

# LDST64: offset / 8 (the variable is on the next page: the ADRP differs).
# jitlink-check: decode_operand(ldst64, 1) = dword_var[63:12] - ldst64[63:12]
# jitlink-check: decode_operand(ldst64, 1) = 0xffffffffffffffff
# jitlink-check: decode_operand(ldst64 + 4, 2) = dword_var[11:3]
# jitlink-check: decode_operand(ldst64 + 4, 2) = 1
# jitlink-check: decode_operand(ldst64 + 8, 2) = 2
# jitlink-check: decode_operand(ldst64 + 12, 2) = 1
# jitlink-check: decode_operand(ldst64 + 16, 2) = 1
# jitlink-check: (*{4}(ldst64 + 20))[21:10] = 1
# jitlink-check: (*{4}(ldst64 + 20))[31:22] = 0x3e6
  .globl ldst64
ldst64:
  adrp x12, dword_var
  ldr x0, [x12, :lo12:dword_var]
  str x0, [x12, :lo12:dword_var + 8]
  ldr d3, [x12, :lo12:dword_var]
  str d3, [x12, :lo12:dword_var]
  prfm pldl1keep, [x12, :lo12:dword_var]

# LDST128: offset / 16.
# jitlink-check: decode_operand(ldst128, 2) = qword_var[11:4]
# jitlink-check: decode_operand(ldst128, 2) = 2
# jitlink-check: decode_operand(ldst128 + 4, 2) = 3
# jitlink-check: (*{4}ldst128)[31:22] = 0xf7
# jitlink-check: (*{4}(ldst128 + 4))[31:22] = 0xf6
  .globl ldst128
ldst128:
  ldr q4, [x12, :lo12:qword_var]
  str q4, [x12, :lo12:qword_var + 16]

# Page21 at the ends of its range: Page(P + 0xfffff000) - Page(P) = 0xfffff000 (imm 0xfffff pages) and
# Page(P - 0x100000000) - Page(P) = -0x100000000 (imm -0x100000 pages).
# jitlink-check: decode_operand(page_edge_forward, 1) = 0xfffff
# jitlink-check: *{4}page_edge_forward = 0xf07fffe0
# jitlink-check: decode_operand(page_edge_backward, 1) = 0xfffffffffff00000
# jitlink-check: *{4}page_edge_backward = 0x90800001
  .globl page_edge_forward
page_edge_forward:
  adrp x0, page_edge_forward + 0xfffff000
  .globl page_edge_backward
page_edge_backward:
  adrp x1, page_edge_backward - 0x100000000

  .data
  .p2align 4
  .space 0xff7
  .globl byte_var
byte_var:
  .byte 0x11
  .space 2
  .globl half_var
half_var:
  .hword 0x2222
  .globl word_var
word_var:
  .word 0x33333333
  .space 8
  .globl dword_var
dword_var:
  .quad 0x4444444444444444, 0
  .p2align 4
  .globl qword_var
qword_var:
  .quad 5, 5, 6, 6
