# R_AARCH64_MOVW_UABS_G0_NC / G1_NC / G2_NC / G3 (MoveWide16): each writes one 16-bit slice of S+A into a MOVZ or
# MOVK, keeping the instruction's register and shift. Targets: a 64-bit -abs value with a distinct slice per
# halfword, a local definition (whose address comes from the slab), and addends that carry across halfwords.
#
# RUN: orc-jitlink -noexec -slab-allocate 1Mb -slab-address 0x7fffabcd0000 -abs wide=0x123456789abcdef0 -check %s %s

  .text
  .globl main
  .p2align 2
  .type main,%function
main:
  ret

# The canonical 64-bit sequence: MOVZ G3, MOVK G2_NC, G1_NC, G0_NC.
# jitlink-check: decode_operand(load_wide, 1) = 0x1234
# jitlink-check: decode_operand(load_wide, 2) = 48
# jitlink-check: decode_operand(load_wide + 4, 2) = 0x5678
# jitlink-check: decode_operand(load_wide + 4, 3) = 32
# jitlink-check: decode_operand(load_wide + 8, 2) = 0x9abc
# jitlink-check: decode_operand(load_wide + 8, 3) = 16
# jitlink-check: decode_operand(load_wide + 12, 2) = 0xdef0
# jitlink-check: decode_operand(load_wide + 12, 3) = 0
# The destination register survives (x9): the low five bits of every word.
# jitlink-check: (*{4}load_wide)[4:0] = 9
# jitlink-check: (*{4}(load_wide + 12))[4:0] = 9
  .globl load_wide
load_wide:
  movz x9, #:abs_g3:wide
  movk x9, #:abs_g2_nc:wide
  movk x9, #:abs_g1_nc:wide
  movk x9, #:abs_g0_nc:wide

# The same for a local definition; the slices are compared with the linked address.
# jitlink-check: decode_operand(load_local, 1) = target[63:48]
# jitlink-check: decode_operand(load_local + 4, 2) = target[47:32]
# jitlink-check: decode_operand(load_local + 8, 2) = target[31:16]
# jitlink-check: decode_operand(load_local + 12, 2) = target[15:0]
# jitlink-check: decode_operand(load_local + 4, 2) = 0x7fff
# jitlink-check: decode_operand(load_local + 8, 2) = 0xabcd
# jitlink-check: decode_operand(load_local + 12, 2) = 0
  .globl load_local
load_local:
  movz x1, #:abs_g3:target
  movk x1, #:abs_g2_nc:target
  movk x1, #:abs_g1_nc:target
  movk x1, #:abs_g0_nc:target

# MOVZ in every position (the _NC forms do not check that the other halfwords are zero), and 32-bit registers.
# jitlink-check: decode_operand(movz_forms, 1) = 0xdef0
# jitlink-check: decode_operand(movz_forms + 4, 1) = 0x9abc
# jitlink-check: decode_operand(movz_forms + 4, 2) = 16
# jitlink-check: decode_operand(movz_forms + 8, 1) = 0x5678
# jitlink-check: decode_operand(movz_forms + 12, 1) = 0xdef0
# jitlink-check: decode_operand(movz_forms + 16, 2) = 0x9abc
# jitlink-check: decode_operand(movz_forms + 16, 3) = 16
  .globl movz_forms
movz_forms:
  movz x2, #:abs_g0_nc:wide
  movz x3, #:abs_g1_nc:wide
  movz x4, #:abs_g2_nc:wide
  movz w5, #:abs_g0_nc:wide
  movk w5, #:abs_g1_nc:wide

# Addends: wide + 0x10 carries nothing; wide + 0x2000 (0x...bcfef0) changes G0 and G1 only; a negative addend
# borrows from the upper halfwords (0x123456789abcdef0 - 0x9abcdef1 = 0x12345677ffffffff).
# jitlink-check: decode_operand(addends, 1) = 0xdf00
# jitlink-check: decode_operand(addends + 4, 1) = 0xfef0
# jitlink-check: decode_operand(addends + 8, 1) = 0x9abc
# jitlink-check: decode_operand(addends + 12, 1) = 0x1234
# jitlink-check: decode_operand(addends + 16, 2) = 0x5677
# jitlink-check: decode_operand(addends + 20, 2) = 0xffff
# jitlink-check: decode_operand(addends + 24, 2) = 0xffff
  .globl addends
addends:
  movz x6, #:abs_g0_nc:wide+0x10
  movz x6, #:abs_g0_nc:wide+0x2000
  movz x6, #:abs_g1_nc:wide+0x2000
  movz x7, #:abs_g3:wide-0x9abcdef1
  movk x7, #:abs_g2_nc:wide-0x9abcdef1
  movk x7, #:abs_g1_nc:wide-0x9abcdef1
  movk x7, #:abs_g0_nc:wide-0x9abcdef1

  .data
  .globl target
  .p2align 3
target:
  .quad 0
