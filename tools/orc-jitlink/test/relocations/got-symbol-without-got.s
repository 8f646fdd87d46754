# _GLOBAL_OFFSET_TABLE_ referenced by a graph that needs no GOT: it resolves to the address of the graph's first
# block (the start of .data at the slab base here), and stays local to the graph. (got.s covers the usual case,
# where it marks the start of $__GOT.)
#
# RUN: orc-jitlink -noexec -slab-allocate 64Kb -slab-address 0x300000 -check %s %s

  .text
  .globl main
  .p2align 2
  .type main,%function
main:
  ret

# jitlink-check: *{8}got_symbol_pointer = 0x300000
# jitlink-check: decode_operand(load_got_symbol, 1) = 0xffffffffffffffff
# jitlink-check: decode_operand(load_got_symbol + 4, 2) = 0
  .globl load_got_symbol
load_got_symbol:
  adrp x0, _GLOBAL_OFFSET_TABLE_
  add x0, x0, :lo12:_GLOBAL_OFFSET_TABLE_

  .data
  .p2align 3
  .globl got_symbol_pointer
got_symbol_pointer:
  .quad _GLOBAL_OFFSET_TABLE_
