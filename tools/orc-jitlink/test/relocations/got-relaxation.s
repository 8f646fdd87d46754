# GOT-load relaxation (pre-fixup, once addresses are final) for an ADRP :got: immediately followed by a 64-bit
# LDR :got_lo12: of the same GOT entry into the same register:
#   target within +-1 MiB of the LDR  -> NOP + ADR xN, target
#   page within +-4 GiB               -> ADRP xN, target + ADD xN, xN, :lo12:target
#   otherwise                         -> unchanged (load through the GOT)
# Each boundary is hit exactly; pairs that do not qualify (different registers, not adjacent) stay unchanged; GOT
# entries stay allocated. Plus the stub bypass of a call to a nearby external.
#
# The code is the only allocated section, at 0xfff00000 (16 KiB pages); the -abs targets are placed relative to
# the pairs (addresses in the comments).
#
# RUN: orc-jitlink -noexec -slab-allocate 64Kb -slab-page-size 16384 -slab-address 0xfff00000 -abs var_near=0xfff10000 -abs var_adr_edge_in=0x10000000f -abs var_adr_edge_out=0x100000018 -abs var_adr_back_edge=0xffe00020 -abs var_mid=0x123456789 -abs var_page_edge_in=0x1ffefffff -abs var_page_edge_out=0x1fff00000 -abs var_far=0xdeadbeef00 -abs func_near=0x100000000 -check=%s %s

  .text
  .globl main
  .p2align 2
  .type main,%function
main:
  ret

# jitlink-check: relax_near = 0xfff00004

# 0xfff00004: var_near is 0xfff8 bytes past the LDR -> NOP + ADR x0.
# jitlink-check: *{4}relax_near = 0xd503201f
# jitlink-check: (*{4}(relax_near + 4)) & 0x9f00001f = 0x10000000
# jitlink-check: decode_operand(relax_near + 4, 1) = 0xfff8
# jitlink-check: decode_operand(relax_near + 4, 1) = 0xfff10000-next_pc(relax_near)
  .globl relax_near
relax_near:
  adrp x0, :got:var_near
  ldr x0, [x0, :got_lo12:var_near]

# 0xfff0000c: LDR at 0xfff00010, target + 0xfffff: the last ADR-reachable byte.
# jitlink-check: *{4}relax_adr_edge_in = 0xd503201f
# jitlink-check: *{4}(relax_adr_edge_in + 4) = 0x707fffe1
# jitlink-check: decode_operand(relax_adr_edge_in + 4, 1) = 0xfffff
  .globl relax_adr_edge_in
relax_adr_edge_in:
  adrp x1, :got:var_adr_edge_in
  ldr x1, [x1, :got_lo12:var_adr_edge_in]

# 0xfff00014: LDR at 0xfff00018, target + 0x100000: one byte too far for ADR -> ADRP + ADD x2.
# jitlink-check: (*{4}relax_adr_edge_out) & 0x9f00001f = 0x90000002
# jitlink-check: decode_operand(relax_adr_edge_out, 1) = 0x100
# jitlink-check: (*{4}(relax_adr_edge_out + 4)) & 0xffc003ff = 0x91000042
# jitlink-check: decode_operand(relax_adr_edge_out + 4, 2) = 0x18
  .globl relax_adr_edge_out
relax_adr_edge_out:
  adrp x2, :got:var_adr_edge_out
  ldr x2, [x2, :got_lo12:var_adr_edge_out]

# 0xfff0001c: LDR at 0xfff00020, target - 0x100000: the lowest ADR-reachable byte.
# jitlink-check: *{4}relax_adr_back_edge = 0xd503201f
# jitlink-check: decode_operand(relax_adr_back_edge + 4, 1) = 0xfffffffffff00000
# jitlink-check: (*{4}(relax_adr_back_edge + 4))[4:0] = 3
  .globl relax_adr_back_edge
relax_adr_back_edge:
  adrp x3, :got:var_adr_back_edge
  ldr x3, [x3, :got_lo12:var_adr_back_edge]

# 0xfff00024: var_mid (0x123456789) -> ADRP + ADD x4.
# jitlink-check: (*{4}relax_mid) & 0x9f00001f = 0x90000004
# jitlink-check: decode_operand(relax_mid, 1) = 0x23556
# jitlink-check: (*{4}(relax_mid + 4)) & 0xffc003ff = 0x91000084
# jitlink-check: decode_operand(relax_mid + 4, 2) = 0x789
  .globl relax_mid
relax_mid:
  adrp x4, :got:var_mid
  ldr x4, [x4, :got_lo12:var_mid]

# 0xfff0002c: the target's page is Page(ADRP) + 0xfffff000, the last ADRP-reachable page -> ADRP + ADD x5.
# jitlink-check: (*{4}relax_page_edge_in) & 0x9f00001f = 0x90000005
# jitlink-check: decode_operand(relax_page_edge_in, 1) = 0xfffff
# jitlink-check: (*{4}(relax_page_edge_in + 4)) & 0xffc003ff = 0x910000a5
# jitlink-check: decode_operand(relax_page_edge_in + 4, 2) = 0xfff
  .globl relax_page_edge_in
relax_page_edge_in:
  adrp x5, :got:var_page_edge_in
  ldr x5, [x5, :got_lo12:var_page_edge_in]

# 0xfff00034: one page further (Page(ADRP) + 4 GiB) -> unchanged: ADRP + LDR of the GOT entry.
# jitlink-check: (*{4}relax_page_edge_out) & 0x9f00001f = 0x90000006
# jitlink-check: decode_operand(relax_page_edge_out, 1) = got_addr(got-relaxation.o, var_page_edge_out)[63:12] - relax_page_edge_out[63:12]
# jitlink-check: (*{4}(relax_page_edge_out + 4)) & 0xffc003ff = 0xf94000c6
# jitlink-check: decode_operand(relax_page_edge_out + 4, 2) = got_addr(got-relaxation.o, var_page_edge_out)[11:3]
  .globl relax_page_edge_out
relax_page_edge_out:
  adrp x6, :got:var_page_edge_out
  ldr x6, [x6, :got_lo12:var_page_edge_out]

# 0xfff0003c: far away -> unchanged.
# jitlink-check: (*{4}relax_far) & 0x9f00001f = 0x90000007
# jitlink-check: decode_operand(relax_far, 1) = got_addr(got-relaxation.o, var_far)[63:12] - relax_far[63:12]
# jitlink-check: decode_operand(relax_far + 4, 2) = got_addr(got-relaxation.o, var_far)[11:3]
  .globl relax_far
relax_far:
  adrp x7, :got:var_far
  ldr x7, [x7, :got_lo12:var_far]

# Near target, but the LDR writes another register than the ADRP's: unchanged.
# jitlink-check: (*{4}no_relax_registers) & 0x9f00001f = 0x90000008
# jitlink-check: (*{4}(no_relax_registers + 4)) & 0xffc003ff = 0xf9400109
# jitlink-check: decode_operand(no_relax_registers + 4, 2) = got_addr(got-relaxation.o, var_near)[11:3]
  .globl no_relax_registers
no_relax_registers:
  adrp x8, :got:var_near
  ldr x9, [x8, :got_lo12:var_near]

# Near target, but an instruction between ADRP and LDR: unchanged.
# jitlink-check: (*{4}no_relax_gap) & 0x9f00001f = 0x9000000a
# jitlink-check: *{4}(no_relax_gap + 4) = 0xd503201f
# jitlink-check: (*{4}(no_relax_gap + 8)) & 0xffc003ff = 0xf940014a
# jitlink-check: decode_operand(no_relax_gap + 8, 2) = got_addr(got-relaxation.o, var_near)[11:3]
  .globl no_relax_gap
no_relax_gap:
  adrp x10, :got:var_near
  nop
  ldr x10, [x10, :got_lo12:var_near]

# A definition in the graph is relaxed like an external.
# jitlink-check: *{4}relax_local = 0xd503201f
# jitlink-check: decode_operand(relax_local + 4, 1) = local_var - relax_local - 4
# jitlink-check: (*{4}(relax_local + 4))[4:0] = 11
  .globl relax_local
relax_local:
  adrp x11, :got:local_var
  ldr x11, [x11, :got_lo12:local_var]

# The GOT entries stay allocated and hold the targets.
# jitlink-check: *{8}(got_addr(got-relaxation.o, var_near)) = 0xfff10000
# jitlink-check: *{8}(got_addr(got-relaxation.o, var_mid)) = 0x123456789
# jitlink-check: *{8}(got_addr(got-relaxation.o, local_var)) = local_var

# Stub bypass: func_near (0x100000000) is about 1 MiB past the call, which branches there directly.
# jitlink-check: decode_operand(call_near, 0) = (0x100000000-call_near)[27:2]
# jitlink-check: *{8}(got_addr(got-relaxation.o, func_near)) = 0x100000000
  .globl call_near
call_near:
  bl func_near

  .p2align 3
  .globl local_var
local_var:
  .quad 7
