# Data relocations: R_AARCH64_ABS64 / ABS32 (Pointer64 / Pointer32) and R_AARCH64_PREL64 / PREL32 (Delta64 /
# Delta32), against local definitions and -abs externals, with positive and negative addends and deltas.
#
# The slab sits below 4 GiB so that ABS32 can hold the address of a definition in this object. Layout (JITLink's
# BasicLayout, one page per segment from the slab base): .rodata (R--) at 0x10000000, .data (RW-) at 0x10001000,
# .text (R-X) at 0x10002000.
#
# RUN: orc-jitlink -noexec -slab-allocate 1Mb -slab-address 0x10000000 -abs external_data=0xdeadbeef -abs external_high=0x123456789abcdef0 -abs near_data=0x20000000 -check %s %s

  .text
  .globl main
  .p2align 2
  .type main,%function
main:
  ret
  .globl code_after
code_after:
  ret
  .size main, 8

  .section .rodata,"a",@progbits
  .globl ro_anchor
  .p2align 3
ro_anchor:
  .quad 0x1122334455667788

# The layout the comment above promises.
# jitlink-check: ro_anchor = 0x10000000
# jitlink-check: abs64_local = 0x10001000
# jitlink-check: main = 0x10002000

  .data
  .p2align 3

# ABS64: a local definition, one in another section, externals (one above 4 GiB), addends of both signs.
# jitlink-check: *{8}abs64_local = main
# jitlink-check: *{8}abs64_other_section = ro_anchor
# jitlink-check: *{8}abs64_external = 0xdeadbeef
# jitlink-check: *{8}abs64_external_high = 0x123456789abcdef0
# jitlink-check: *{8}abs64_plus = code_after + 0x20
# jitlink-check: *{8}abs64_minus = 0xdeadbe00
# jitlink-check: *{8}abs64_self = abs64_self
  .globl abs64_local
abs64_local:
  .quad main
  .globl abs64_other_section
abs64_other_section:
  .quad ro_anchor
  .globl abs64_external
abs64_external:
  .quad external_data
  .globl abs64_external_high
abs64_external_high:
  .quad external_high
  .globl abs64_plus
abs64_plus:
  .quad code_after + 0x20
  .globl abs64_minus
abs64_minus:
  .quad external_data - 0xef
  .globl abs64_self
abs64_self:
  .quad abs64_self

# ABS32: values below 4 GiB, including the largest one (external_data + 0x21524110 = 0xffffffff).
# jitlink-check: *{4}abs32_local = main
# jitlink-check: *{4}abs32_external = 0xdeadbeef
# jitlink-check: *{4}abs32_max = 0xffffffff
# jitlink-check: *{4}abs32_negative_addend = main - 0x2000
# The word after each 4-byte fixup is untouched.
# jitlink-check: *{4}abs32_sentinel = 0xa5a5a5a5
  .globl abs32_local
abs32_local:
  .word main
  .globl abs32_external
abs32_external:
  .word external_data
  .globl abs32_max
abs32_max:
  .word external_data + 0x21524110
  .globl abs32_negative_addend
abs32_negative_addend:
  .word main - 0x2000
  .globl abs32_sentinel
abs32_sentinel:
  .word 0xa5a5a5a5
  .p2align 3

# PREL64: forward (to .text, above .data), backward (to .rodata, below), and to an external. (The checker skips
# no whitespace after a number, hence `0x...-sym`.)
# jitlink-check: *{8}prel64_forward = main - prel64_forward
# jitlink-check: *{8}prel64_forward = 0xfb0
# jitlink-check: *{8}prel64_backward = ro_anchor - prel64_backward
# jitlink-check: *{8}prel64_backward = 0xffffffffffffefa8
# jitlink-check: *{8}prel64_external = 0x123456789abcdef0-prel64_external
# jitlink-check: *{8}prel64_addend = code_after - prel64_addend + 8
  .globl prel64_forward
prel64_forward:
  .quad main - .
  .globl prel64_backward
prel64_backward:
  .quad ro_anchor - .
  .globl prel64_external
prel64_external:
  .quad external_high - .
  .globl prel64_addend
prel64_addend:
  .quad code_after + 8 - .

# PREL32: both signs (a negative delta is stored in two's complement), with and without addend, and the
# difference of two symbols where only one is relocated against (the assembler folds the rest into the addend).
# jitlink-check: *{4}prel32_forward = (main - prel32_forward)[31:0]
# jitlink-check: *{4}prel32_backward = (ro_anchor - prel32_backward)[31:0]
# jitlink-check: (*{4}prel32_backward)[31:31] = 1
# jitlink-check: *{4}prel32_addend = (ro_anchor - prel32_addend - 0x10)[31:0]
# jitlink-check: *{4}prel32_external = 0x20000000-prel32_external
  .globl prel32_forward
prel32_forward:
  .word main - .
  .globl prel32_backward
prel32_backward:
  .word ro_anchor - .
  .globl prel32_addend
prel32_addend:
  .word ro_anchor - 0x10 - .
  .globl prel32_external
prel32_external:
  .word near_data - .
