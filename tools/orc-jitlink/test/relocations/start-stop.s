# __start_<section> / __stop_<section>: external references to them are defined after allocation at the start of
# the section's lowest block and the end of its highest block. my_sec consists of two ELF sections of the same
# name (two blocks of one graph section, the smaller laid out first); my_bss is zero-fill; empty_sec has no
# content (its block is dead-stripped), so both of its symbols are 0. Referenced by ABS64 data and by ADRP/ADD.
#
# RUN: orc-jitlink -noexec -check %s %s
# RUN: orc-jitlink -noexec -slab-allocate 64Kb -slab-address 0x200000 -check %s %s

  .text
  .globl main
  .p2align 2
  .type main,%function
main:
  ret

# jitlink-check: *{8}start_ptr = my_sec_first
# jitlink-check: *{8}stop_ptr = my_sec_second + 8
# jitlink-check: (*{8}stop_ptr) - (*{8}start_ptr) = 16
# jitlink-check: section_addr(start-stop.o, my_sec) = my_sec_first
# jitlink-check: my_sec_second = my_sec_first + 8
# jitlink-check: *{8}bss_start_ptr = my_bss_data
# jitlink-check: *{8}bss_stop_ptr = my_bss_data + 24
# jitlink-check: *{8}empty_start_ptr = 0
# jitlink-check: *{8}empty_stop_ptr = 0
# jitlink-check: decode_operand(load_start, 1) = my_sec_first[63:12] - load_start[63:12]
# jitlink-check: decode_operand(load_start + 4, 2) = my_sec_first[11:0]
# jitlink-check: decode_operand(load_start + 12, 2) = (my_sec_second + 8)[11:0]
  .globl load_start
load_start:
  adrp x0, __start_my_sec
  add x0, x0, :lo12:__start_my_sec
  adrp x1, __stop_my_sec
  add x1, x1, :lo12:__stop_my_sec

  .data
  .p2align 3
  .globl start_ptr
start_ptr:
  .quad __start_my_sec
  .globl stop_ptr
stop_ptr:
  .quad __stop_my_sec
  .globl bss_start_ptr
bss_start_ptr:
  .quad __start_my_bss
  .globl bss_stop_ptr
bss_stop_ptr:
  .quad __stop_my_bss
  .globl empty_start_ptr
empty_start_ptr:
  .quad __start_empty_sec
  .globl empty_stop_ptr
empty_stop_ptr:
  .quad __stop_empty_sec

  .section my_sec,"aw",@progbits,unique,2
  .p2align 3
  .globl my_sec_second
my_sec_second:
  .quad 0x2222222222222222

  .section my_sec,"aw",@progbits,unique,1
  .p2align 2
  .globl my_sec_first
my_sec_first:
  .word 0x11111111

  .section my_bss,"aw",@nobits
  .p2align 4
  .globl my_bss_data
my_bss_data:
  .zero 24

  .section empty_sec,"aw",@progbits
