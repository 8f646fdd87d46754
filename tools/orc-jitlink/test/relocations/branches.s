# R_AARCH64_CALL26 / JUMP26 (Branch26PCRel), R_AARCH64_TSTBR14 (TestAndBranch14PCRel) and R_AARCH64_CONDBR19
# (CondBranch19PCRel, for B.cond, CBZ and CBNZ): forward and backward deltas, and each kind exactly at both ends of
# its range (+-128 MiB, +-32 KiB, +-1 MiB). The far targets are `label + addend` against a global label, so the
# assembler leaves the relocation to the linker and the delta is S + A - P = addend, wherever the code lands. The
# opcode, condition, register and bit-number fields must survive the fixup.
#
# RUN: orc-jitlink -noexec -check %s %s
# RUN: orc-jitlink -noexec -slab-allocate 64Kb -slab-address 0x4000 -slab-page-size 16384 -check %s %s

  .text
  .globl main
  .p2align 2
  .type main,%function
main:
  ret

# CALL26 and JUMP26 to definitions before and after the branch.
# jitlink-check: decode_operand(call_forward, 0) = (callee - call_forward)[27:2]
# jitlink-check: decode_operand(call_forward, 0) = 3
# jitlink-check: next_pc(call_forward) = jump_forward
# jitlink-check: decode_operand(jump_forward, 0) = (callee - next_pc(call_forward))[27:2]
# jitlink-check: decode_operand(jump_forward, 0) = (callee - jump_forward)[27:2]
# jitlink-check: decode_operand(call_backward, 0)[25:0] = (main - call_backward)[27:2]
# jitlink-check: decode_operand(jump_backward, 0)[25:0] = (main - jump_backward)[27:2]
# jitlink-check: (*{4}call_forward)[31:26] = 0x25
# jitlink-check: (*{4}jump_forward)[31:26] = 0x5
  .globl call_forward
call_forward:
  bl callee
  .globl jump_forward
jump_forward:
  b callee
  .globl call_backward
call_backward:
  bl main
  .globl callee
callee:
  ret
  .globl jump_backward
jump_backward:
  b main

# Branch26 at the ends of its range: +0x7fffffc and -0x8000000 bytes (imm26 0x1ffffff and 0x2000000).
# jitlink-check: decode_operand(call_edge_forward, 0) = 0x1ffffff
# jitlink-check: decode_operand(call_edge_backward, 0)[25:0] = 0x2000000
# jitlink-check: decode_operand(jump_edge_forward, 0) = 0x1ffffff
# jitlink-check: decode_operand(jump_edge_backward, 0)[25:0] = 0x2000000
# jitlink-check: *{4}call_edge_forward = 0x95ffffff
# jitlink-check: *{4}jump_edge_backward = 0x16000000
  .globl call_edge_forward
call_edge_forward:
  bl call_edge_forward + 0x7fffffc
  .globl call_edge_backward
call_edge_backward:
  bl call_edge_backward - 0x8000000
  .globl jump_edge_forward
jump_edge_forward:
  b jump_edge_forward + 0x7fffffc
  .globl jump_edge_backward
jump_edge_backward:
  b jump_edge_backward - 0x8000000

# TSTBR14: TBZ/TBNZ on W and X registers, bit numbers 0-63 (b5 is bit 31 of the word).
# jitlink-check: decode_operand(tbz_forward, 2) = (tb_target - tbz_forward)[15:2]
# jitlink-check: decode_operand(tbz_forward, 1) = 63
# jitlink-check: (*{4}tbz_forward)[31:31] = 1
# jitlink-check: (*{4}tbz_forward)[4:0] = 7
# jitlink-check: decode_operand(tbnz_backward, 2)[13:0] = (main - tbnz_backward)[15:2]
# jitlink-check: decode_operand(tbnz_backward, 1) = 3
# jitlink-check: (*{4}tbnz_backward)[31:24] = 0x37
# jitlink-check: decode_operand(tb_edge_forward, 2) = 0x1fff
# jitlink-check: decode_operand(tb_edge_backward, 2)[13:0] = 0x2000
# jitlink-check: decode_operand(tb_edge_backward, 1) = 32
  .globl tbz_forward
tbz_forward:
  tbz x7, #63, tb_target
  .globl tbnz_backward
tbnz_backward:
  tbnz w12, #3, main
  .globl tb_edge_forward
tb_edge_forward:
  tbz w0, #0, tb_edge_forward + 0x7ffc
  .globl tb_edge_backward
tb_edge_backward:
  tbnz x1, #32, tb_edge_backward - 0x8000
  .globl tb_target
tb_target:
  ret

# CONDBR19: B.cond (the condition code is operand 0), CBZ/CBNZ on W and X registers.
# jitlink-check: decode_operand(bcond_forward, 1) = (cb_target - bcond_forward)[20:2]
# jitlink-check: decode_operand(bcond_forward, 0) = 0
# jitlink-check: decode_operand(bcond_backward, 1)[18:0] = (main - bcond_backward)[20:2]
# jitlink-check: decode_operand(bcond_backward, 0) = 11
# jitlink-check: decode_operand(cbz_forward, 1) = (cb_target - cbz_forward)[20:2]
# jitlink-check: (*{4}cbz_forward)[31:24] = 0xb4
# jitlink-check: (*{4}cbz_forward)[4:0] = 3
# jitlink-check: decode_operand(cbnz_backward, 1)[18:0] = (main - cbnz_backward)[20:2]
# jitlink-check: (*{4}cbnz_backward)[31:24] = 0x35
# jitlink-check: decode_operand(cb_edge_forward, 1) = 0x3ffff
# jitlink-check: decode_operand(cb_edge_backward, 1)[18:0] = 0x40000
# jitlink-check: decode_operand(bcond_edge_forward, 1) = 0x3ffff
# jitlink-check: decode_operand(bcond_edge_forward, 0) = 1
# jitlink-check: decode_operand(bcond_edge_backward, 1)[18:0] = 0x40000
  .globl bcond_forward
bcond_forward:
  b.eq cb_target
  .globl bcond_backward
bcond_backward:
  b.lt main
  .globl cbz_forward
cbz_forward:
  cbz x3, cb_target
  .globl cbnz_backward
cbnz_backward:
  cbnz w4, main
  .globl cb_edge_forward
cb_edge_forward:
  cbz x0, cb_edge_forward + 0xffffc
  .globl cb_edge_backward
cb_edge_backward:
  cbnz x0, cb_edge_backward - 0x100000
  .globl bcond_edge_forward
bcond_edge_forward:
  b.ne bcond_edge_forward + 0xffffc
  .globl bcond_edge_backward
bcond_edge_backward:
  b.hs bcond_edge_backward - 0x100000
  .globl cb_target
cb_target:
  ret
