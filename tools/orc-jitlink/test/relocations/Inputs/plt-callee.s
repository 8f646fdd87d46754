# A second object for plt-stubs.s: functions called from there through PLT stubs.
  .text
  .globl other_object_func
  .p2align 2
  .type other_object_func,%function
other_object_func:
  ret
