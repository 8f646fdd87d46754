/**
 * A two-object program in LLVM IR (shared by the llc-output and fuzz tests): calls within and across objects,
 * globals read and written across objects, function-pointer tables, a weak definition that lib.ll overrides,
 * strings, zero-initialized and common data, a switch.
 */

/** `DSO` marks where the static variant says `dso_local` (clang does so for every symbol with -fno-pic). */
export const MAIN_LL = `
@message = private unnamed_addr constant [14 x i8] c"hello, world\\0A\\00"
@greeting = DSO global ptr @message
@counter = DSO global i32 0
@bytes = DSO global [4 x i8] c"\\01\\02\\03\\04"
@halves = DSO global [2 x i16] [i16 513, i16 1027]
@vec = DSO global <4 x i32> <i32 1, i32 2, i32 3, i32 4>, align 16
@zeroed = DSO global [64 x i64] zeroinitializer
@ops = DSO global [4 x ptr] [ptr @add_one, ptr @twice, ptr @weak_op, ptr @local_op]
@last_result = internal global i64 0

@lib_value = external DSO global i64
@lib_table = external DSO global [2 x ptr]
declare DSO i32 @twice(i32)
declare DSO ptr @lib_greeting()

; Overridden by the strong definition in lib.ll.
define weak DSO i32 @weak_op(i32 %x) {
  ret i32 0
}

define DSO i32 @add_one(i32 %x) {
  %r = add i32 %x, 1
  ret i32 %r
}

define internal i32 @local_op(i32 %x) {
  %r = sub i32 %x, 1
  ret i32 %r
}

define DSO i32 @apply(i32 %i, i32 %x) {
  %slot = getelementptr [4 x ptr], ptr @ops, i32 0, i32 %i
  %f = load ptr, ptr %slot
  %r = call i32 %f(i32 %x)
  ret i32 %r
}

define DSO i64 @sum_data() {
  %b = load i8, ptr getelementptr ([4 x i8], ptr @bytes, i32 0, i32 3)
  %h = load i16, ptr getelementptr ([2 x i16], ptr @halves, i32 0, i32 1)
  %v = load <4 x i32>, ptr @vec
  %e = extractelement <4 x i32> %v, i32 2
  %z = load i64, ptr getelementptr ([64 x i64], ptr @zeroed, i32 0, i32 7)
  %b64 = zext i8 %b to i64
  %h64 = zext i16 %h to i64
  %e64 = zext i32 %e to i64
  %s1 = add i64 %b64, %h64
  %s2 = add i64 %s1, %e64
  %s3 = add i64 %s2, %z
  store i64 %s3, ptr @last_result
  ret i64 %s3
}

define DSO void @copy_vec(ptr %dst) {
  %v = load <4 x i32>, ptr @vec
  store <4 x i32> %v, ptr %dst
  ret void
}

define DSO i32 @main() {
  %a = call i32 @add_one(i32 41)
  %b = call i32 @twice(i32 %a)
  %c = call i32 @weak_op(i32 %b)
  %d = call i32 @apply(i32 3, i32 %c)
  %lv = load i64, ptr @lib_value
  %lv32 = trunc i64 %lv to i32
  %sum = add i32 %d, %lv32
  store i32 %sum, ptr @counter
  %t = load ptr, ptr getelementptr ([2 x ptr], ptr @lib_table, i32 0, i32 1)
  %e = call i32 %t(i32 %sum)
  %g = call ptr @lib_greeting()
  %ch = load i8, ptr %g
  %ch32 = zext i8 %ch to i32
  %s = call i64 @sum_data()
  %s32 = trunc i64 %s to i32
  %r1 = add i32 %e, %ch32
  %r2 = add i32 %r1, %s32
  %r3 = tail call i32 @add_one(i32 %r2)
  ret i32 %r3
}
`;

export const LIB_LL = `
@lib_value = DSO global i64 42
@lib_table = DSO global [2 x ptr] [ptr @twice, ptr @add_one]
@counter = external DSO global i32
@lib_bss = DSO global [16 x i32] zeroinitializer
@lib_common = common DSO global i64 0, align 8
@lib_text = private unnamed_addr constant [9 x i8] c"from lib\\00"
@lib_text_ptr = DSO global ptr getelementptr ([9 x i8], ptr @lib_text, i32 0, i32 5)

declare DSO i32 @add_one(i32)

define DSO i32 @weak_op(i32 %x) {
  %r = mul i32 %x, 3
  ret i32 %r
}

define DSO i32 @twice(i32 %x) {
  %c = load i32, ptr @counter
  %c1 = add i32 %c, 1
  store i32 %c1, ptr @counter
  %r = shl i32 %x, 1
  %slot = getelementptr [16 x i32], ptr @lib_bss, i32 0, i32 5
  store i32 %r, ptr %slot
  store i64 7, ptr @lib_common
  ret i32 %r
}

define DSO ptr @lib_greeting() {
  ret ptr @lib_text
}

define DSO i32 @lib_switch(i32 %x) {
  switch i32 %x, label %other [
    i32 0, label %a
    i32 1, label %b
    i32 2, label %c
    i32 3, label %d
    i32 4, label %e
  ]
a: ret i32 10
b: ret i32 11
c: ret i32 12
d: ret i32 13
e: ret i32 14
other:
  %r = tail call i32 @add_one(i32 %x)
  ret i32 %r
}
`;

/** The IR for one relocation model: `dso_local` where clang puts it for -fno-pic, nothing for PIC. */
export function programIR(ir: string, pic: boolean): string {
  return ir.replaceAll('DSO', pic ? '' : 'dso_local');
}
