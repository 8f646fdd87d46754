# GOT-relative relocations: R_AARCH64_ADR_GOT_PAGE (-> Page21 to the GOT entry), R_AARCH64_LD64_GOT_LO12_NC (->
# PageOffset12, 8-byte scaled) and R_AARCH64_LD64_GOTPAGE_LO15 (-> GotPageOffset15: the entry's offset from the
# page of _GLOBAL_OFFSET_TABLE_), for externals and local definitions; one GOT entry per target, shared by every
# use; _GLOBAL_OFFSET_TABLE_ defined at the start of $__GOT and usable as an ordinary symbol.
#
# The default slab is far (> 4 GiB) from the -abs values, and the ADRP/LDR pairs use different registers, so no
# GOT load is relaxed here (see got-relaxation.s for that).
#
# RUN: orc-jitlink -noexec -abs external_data=0xdeadbeef -abs other_data=0xfeedf00d -check %s %s

  .text
  .globl main
  .p2align 2
  .type main,%function
main:
  ret

# GOT entries hold the targets' addresses.
# jitlink-check: *{8}(got_addr(got.o, external_data)) = 0xdeadbeef
# jitlink-check: *{8}(got_addr(got.o, other_data)) = 0xfeedf00d
# jitlink-check: *{8}(got_addr(got.o, local_var)) = local_var
# jitlink-check: *{8}(got_addr(got.o, local_func)) = local_func
# jitlink-check: got_addr(got.o, external_data)[2:0] = 0
# They live in $__GOT, placed after .text in the R-X segment.
# jitlink-check: section_addr(got.o, $__GOT)[63:12] = main[63:12]
# jitlink-check: _GLOBAL_OFFSET_TABLE_ = section_addr(got.o, $__GOT)

# ADRP :got: + LDR :got_lo12:, for an external.
# jitlink-check: decode_operand(got_external, 1) = got_addr(got.o, external_data)[63:12] - got_external[63:12]
# jitlink-check: decode_operand(got_external + 4, 2) = got_addr(got.o, external_data)[11:3]
# jitlink-check: (*{4}(got_external + 4))[31:22] = 0x3e5
# jitlink-check: (*{4}(got_external + 4))[9:0] = 1
  .globl got_external
got_external:
  adrp x0, :got:external_data
  ldr x1, [x0, :got_lo12:external_data]

# The same entry again (one entry per target), and entries for local definitions.
# jitlink-check: decode_operand(got_again, 1) = got_addr(got.o, external_data)[63:12] - got_again[63:12]
# jitlink-check: decode_operand(got_again + 4, 2) = got_addr(got.o, external_data)[11:3]
# jitlink-check: decode_operand(got_local, 1) = got_addr(got.o, local_var)[63:12] - got_local[63:12]
# jitlink-check: decode_operand(got_local + 4, 2) = got_addr(got.o, local_var)[11:3]
# jitlink-check: decode_operand(got_local + 8, 1) = got_addr(got.o, local_func)[63:12] - got_local[63:12]
# jitlink-check: decode_operand(got_local + 12, 2) = got_addr(got.o, local_func)[11:3]
  .globl got_again
got_again:
  adrp x2, :got:external_data
  ldr x3, [x2, :got_lo12:external_data]
  .globl got_local
got_local:
  adrp x4, :got:local_var
  ldr x5, [x4, :got_lo12:local_var]
  adrp x6, :got:local_func
  ldr x7, [x6, :got_lo12:local_func]

# LD64_GOTPAGE_LO15: offset of the entry from Page(_GLOBAL_OFFSET_TABLE_), in 8-byte units.
# jitlink-check: decode_operand(got_lo15, 2) = (got_addr(got.o, external_data) - (section_addr(got.o, $__GOT) & 0xfffffffffffff000))[14:3]
# jitlink-check: decode_operand(got_lo15 + 4, 2) = (got_addr(got.o, other_data) - (_GLOBAL_OFFSET_TABLE_[63:12] << 12))[14:3]
# jitlink-check: decode_operand(got_lo15 + 8, 2) = (got_addr(got.o, local_var) - (_GLOBAL_OFFSET_TABLE_ & 0xfffffffffffff000))[14:3]
# The base register's page: ADRP of _GLOBAL_OFFSET_TABLE_ itself (an ordinary Page21 to the defined symbol).
# jitlink-check: decode_operand(got_base, 1) = _GLOBAL_OFFSET_TABLE_[63:12] - got_base[63:12]
  .globl got_base
got_base:
  adrp x9, _GLOBAL_OFFSET_TABLE_
  .globl got_lo15
got_lo15:
  ldr x10, [x9, :gotpage_lo15:external_data]
  ldr x11, [x9, :gotpage_lo15:other_data]
  ldr x12, [x9, :gotpage_lo15:local_var]

  .globl local_func
  .type local_func,%function
local_func:
  ret

  .data
  .p2align 3
  .globl local_var
local_var:
  .quad 42
# _GLOBAL_OFFSET_TABLE_ as data (ABS64).
# jitlink-check: *{8}got_symbol_pointer = _GLOBAL_OFFSET_TABLE_
  .globl got_symbol_pointer
got_symbol_pointer:
  .quad _GLOBAL_OFFSET_TABLE_
