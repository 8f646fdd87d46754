# A small two-object AArch64 program for `npm run demo`: main calls into lib.o, reads and writes its globals,
# and keeps a table of function pointers. The rules below are checked by orc-jitlink after linking.
# jitlink-check: decode_operand(main, 0)[25:0] = (square - main)[27:2]
# jitlink-check: *{8}dispatch = square
# jitlink-check: *{8}(dispatch + 8) = cube
# jitlink-check: *{8}(got_addr(program.o, puts)) = puts
  .text
  .globl main
  .p2align 2
main:
  bl square
  adrp x1, counter
  ldr x2, [x1, :lo12:counter]
  add x2, x2, #1
  str x2, [x1, :lo12:counter]
  adrp x3, :got:puts
  ldr x3, [x3, :got_lo12:puts]
  ret
  .data
  .globl dispatch
  .p2align 3
dispatch:
  .quad square
  .quad cube
