  .text
  .globl square
  .p2align 2
square:
  mul x0, x0, x0
  ret
  .globl cube
cube:
  mul x1, x0, x0
  mul x0, x1, x0
  ret
  .data
  .globl counter
  .p2align 3
counter:
  .quad 41
