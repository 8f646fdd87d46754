# Calls between objects: other_object_func is defined by the second input, so in this graph it is external and
# the call is routed through a PLT stub; both objects share the slab, so the pre-fixup optimization then branches
# directly to it. A data reference (ABS64) and a GOT load resolve to the same address.
#
# RUN: orc-jitlink -noexec -check %s %s %S/Inputs/plt-callee.s

  .text
  .globl main
  .p2align 2
  .type main,%function
main:
  ret

# jitlink-check: decode_operand(call_other_object, 0)[25:0] = (other_object_func - call_other_object)[27:2]
# jitlink-check: decode_operand(jump_other_object, 0)[25:0] = (other_object_func - jump_other_object)[27:2]
# jitlink-check: *{8}(got_addr(plt-cross-object.o, other_object_func)) = other_object_func
# jitlink-check: *{4}(stub_addr(plt-cross-object.o, other_object_func) + 8) = 0xd61f0200
# jitlink-check: decode_operand(load_other_object, 1) = got_addr(plt-cross-object.o, other_object_func)[63:12] - load_other_object[63:12]
# jitlink-check: decode_operand(load_other_object + 4, 2) = got_addr(plt-cross-object.o, other_object_func)[11:3]
# jitlink-check: *{8}other_object_pointer = other_object_func
  .globl call_other_object
call_other_object:
  bl other_object_func
  .globl jump_other_object
jump_other_object:
  b other_object_func
  .globl load_other_object
load_other_object:
  adrp x0, :got:other_object_func
  ldr x1, [x0, :got_lo12:other_object_func]

  .data
  .p2align 3
  .globl other_object_pointer
other_object_pointer:
  .quad other_object_func
