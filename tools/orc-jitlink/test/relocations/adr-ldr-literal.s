# R_AARCH64_ADR_PREL_LO21 (ADRLiteral21: byte delta, immlo in bits 30:29, immhi in 23:5, no alignment rule) and
# R_AARCH64_LD_PREL_LO19 (LDRLiteral19: word delta, for every LDR-literal form: W, X, SW, S, D, Q, and PRFM).
# Deltas in both directions (the data sits in a segment below the code), odd byte offsets for ADR, and both ends
# of each range (+-1 MiB) via `label + addend`.
#
# RUN: orc-jitlink -noexec -slab-allocate 64Kb -slab-address 0x3ff000 -check %s %s

  .text
  .globl main
  .p2align 2
  .type main,%function
main:
  ret

# jitlink-check: literal_pool = 0x3ff000
# jitlink-check: main = 0x400000

# ADR: forward to the same section, backward to .data (the .data segment comes first), odd offsets.
# jitlink-check: decode_operand(adr_forward, 1) = code_literal - adr_forward
# jitlink-check: decode_operand(adr_backward, 1) = literal_pool - next_pc(adr_forward)
# jitlink-check: decode_operand(adr_backward, 1) = literal_pool - adr_backward
# jitlink-check: decode_operand(adr_backward, 1) = 0xffffffffffffeff8
# jitlink-check: decode_operand(adr_odd, 1) = literal_pool - adr_odd + 3
# jitlink-check: (*{4}adr_odd)[30:29] = (literal_pool - adr_odd + 3)[1:0]
# jitlink-check: (*{4}adr_odd)[4:0] = 17
# jitlink-check: (*{4}adr_odd)[31:31] = 0
# jitlink-check: decode_operand(adr_edge_forward, 1) = 0xfffff
# jitlink-check: *{4}adr_edge_forward = 0x707fffe0
# jitlink-check: decode_operand(adr_edge_backward, 1) = 0xfffffffffff00000
# jitlink-check: *{4}adr_edge_backward = 0x10800001
  .globl adr_forward
adr_forward:
  adr x0, code_literal
  .globl adr_backward
adr_backward:
  adr x1, literal_pool
  .globl adr_odd
adr_odd:
  adr x17, literal_pool + 3
  .globl adr_edge_forward
adr_edge_forward:
  adr x0, adr_edge_forward + 0xfffff
  .globl adr_edge_backward
adr_edge_backward:
  adr x1, adr_edge_backward - 0x100000

# LDR (literal): every form, both directions, and the ends of the range (+0xffffc, -0x100000).
# jitlink-check: decode_operand(ldr_x_forward, 1) = (code_literal - ldr_x_forward)[20:2]
# jitlink-check: decode_operand(ldr_w_backward, 1)[18:0] = (literal_pool - ldr_w_backward)[20:2]
# jitlink-check: (*{4}ldr_w_backward)[31:24] = 0x18
# jitlink-check: decode_operand(ldrsw_backward, 1)[18:0] = (literal_pool - ldrsw_backward + 4)[20:2]
# jitlink-check: (*{4}ldrsw_backward)[31:24] = 0x98
# jitlink-check: decode_operand(ldr_s, 1)[18:0] = (literal_pool - ldr_s + 8)[20:2]
# jitlink-check: decode_operand(ldr_d, 1)[18:0] = (literal_pool - ldr_d + 8)[20:2]
# jitlink-check: decode_operand(ldr_q, 1)[18:0] = (literal_pool - ldr_q + 16)[20:2]
# jitlink-check: (*{4}ldr_q)[31:24] = 0x9c
# jitlink-check: (*{4}prfm_literal)[31:24] = 0xd8
# jitlink-check: (*{4}prfm_literal)[23:5] = (code_literal - prfm_literal)[20:2]
# jitlink-check: decode_operand(ldr_edge_forward, 1) = 0x3ffff
# jitlink-check: decode_operand(ldr_edge_backward, 1)[18:0] = 0x40000
# jitlink-check: *{4}ldr_edge_backward = 0x58800005
  .globl ldr_x_forward
ldr_x_forward:
  ldr x2, code_literal
  .globl ldr_w_backward
ldr_w_backward:
  ldr w3, literal_pool
  .globl ldrsw_backward
ldrsw_backward:
  ldrsw x4, literal_pool + 4
  .globl ldr_s
ldr_s:
  ldr s0, literal_pool + 8
  .globl ldr_d
ldr_d:
  ldr d1, literal_pool + 8
  .globl ldr_q
ldr_q:
  ldr q2, literal_pool + 16
  .globl prfm_literal
prfm_literal:
  prfm pldl1keep, code_literal
  .globl ldr_edge_forward
ldr_edge_forward:
  ldr x0, ldr_edge_forward + 0xffffc
  .globl ldr_edge_backward
ldr_edge_backward:
  ldr x5, ldr_edge_backward - 0x100000

  .p2align 3
  .globl code_literal
code_literal:
  .quad 0x0123456789abcdef

  .data
  .p2align 4
  .globl literal_pool
literal_pool:
  .quad 1, 2, 3, 4
