# Calls and tail calls (CALL26 / JUMP26) to symbols not defined in the graph go through a 12-byte PLT stub
# (ADRP x16 / LDR x16 / BR x16) that loads the target from its GOT entry; the pre-fixup optimization then branches
# directly to the real target when it is within +-128 MiB of the branch (stub bypass), keeping stub and GOT entry.
# Calls to definitions in the graph never use a stub.
#
# The code is the only allocated section, at exactly 0x40000000; the -abs targets are placed relative to the
# branches: edge_in_func is exactly +0x7fffffc from its call and back_in_func exactly -0x8000000 (bypassed), one
# instruction further (edge_out_func, back_out_func) they are out of range and the call keeps using the stub.
# (plt-cross-object.s calls into a second object.)
#
# RUN: orc-jitlink -noexec -slab-allocate 64Kb -slab-address 0x40000000 -abs far_func=0x60000000 -abs edge_in_func=0x48000008 -abs edge_out_func=0x48000010 -abs back_in_func=0x38000014 -abs back_out_func=0x38000010 -check %s %s

  .text
  .globl main
  .p2align 2
  .type main,%function
main:
  ret

# jitlink-check: call_far = 0x40000004

# A far external: BL and B both go to its (one) stub.
# jitlink-check: decode_operand(call_far, 0) = (stub_addr(plt-stubs.o, far_func) - call_far)[27:2]
# jitlink-check: decode_operand(jump_far, 0) = (stub_addr(plt-stubs.o, far_func) - jump_far)[27:2]
# jitlink-check: (*{4}call_far)[31:26] = 0x25
# jitlink-check: (*{4}jump_far)[31:26] = 0x5
  .globl call_far
call_far:
  bl far_func
  .globl jump_far
jump_far:
  b far_func

# The stub: ADRP x16 to the page of the GOT entry, LDR x16 from its page offset, BR x16; the entry holds the target.
# jitlink-check: (*{4}(stub_addr(plt-stubs.o, far_func))) & 0x9f00001f = 0x90000010
# jitlink-check: (*{4}(stub_addr(plt-stubs.o, far_func)))[30:29] = (got_addr(plt-stubs.o, far_func)[63:12] - stub_addr(plt-stubs.o, far_func)[63:12])[1:0]
# jitlink-check: (*{4}(stub_addr(plt-stubs.o, far_func)))[23:5] = (got_addr(plt-stubs.o, far_func)[63:12] - stub_addr(plt-stubs.o, far_func)[63:12])[20:2]
# jitlink-check: (*{4}(stub_addr(plt-stubs.o, far_func) + 4)) & 0xffc003ff = 0xf9400210
# jitlink-check: (*{4}(stub_addr(plt-stubs.o, far_func) + 4))[21:10] = got_addr(plt-stubs.o, far_func)[11:3]
# jitlink-check: *{4}(stub_addr(plt-stubs.o, far_func) + 8) = 0xd61f0200
# jitlink-check: *{8}(got_addr(plt-stubs.o, far_func)) = 0x60000000
# jitlink-check: stub_addr(plt-stubs.o, far_func)[1:0] = 0

# Stub bypass exactly at the ends of the branch range; one step beyond, the stub stays in use.
# jitlink-check: decode_operand(call_edge_in, 0) = 0x1ffffff
# jitlink-check: decode_operand(call_edge_out, 0) = (stub_addr(plt-stubs.o, edge_out_func) - call_edge_out)[27:2]
# jitlink-check: decode_operand(call_back_in, 0)[25:0] = 0x2000000
# jitlink-check: decode_operand(call_back_out, 0) = (stub_addr(plt-stubs.o, back_out_func) - call_back_out)[27:2]
# Bypassed calls keep their stub and GOT entry.
# jitlink-check: *{8}(got_addr(plt-stubs.o, edge_in_func)) = 0x48000008
# jitlink-check: *{4}(stub_addr(plt-stubs.o, edge_in_func) + 8) = 0xd61f0200
# jitlink-check: *{8}(got_addr(plt-stubs.o, back_out_func)) = 0x38000010
  .globl call_edge_in
call_edge_in:
  bl edge_in_func
  .globl call_edge_out
call_edge_out:
  bl edge_out_func
  .globl call_back_in
call_back_in:
  b back_in_func
  .globl call_back_out
call_back_out:
  bl back_out_func

# An undefined weak function resolves to 0: the call goes through the stub, whose GOT entry holds 0.
# jitlink-check: decode_operand(call_weak_missing, 0) = (stub_addr(plt-stubs.o, weak_missing) - call_weak_missing)[27:2]
# jitlink-check: *{8}(got_addr(plt-stubs.o, weak_missing)) = 0
  .weak weak_missing
  .globl call_weak_missing
call_weak_missing:
  bl weak_missing

# A call to a definition in the graph: direct, no stub (global and local callee).
# jitlink-check: decode_operand(call_defined, 0) = (defined_func - call_defined)[27:2]
# jitlink-check: decode_operand(call_defined + 4, 0) = 2
  .globl call_defined
call_defined:
  bl defined_func
  bl local_func
  .globl defined_func
  .type defined_func,%function
defined_func:
  ret
local_func:
  ret
