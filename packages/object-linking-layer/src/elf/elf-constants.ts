/**
 * Numeric ELF constants used by the object reader and the graph builder (values from the System V gABI and
 * `llvm/BinaryFormat/ELF.h`). Only the generic ones live here; relocation numbers belong to the targets.
 */

// ---- e_ident ----------------------------------------------------------------------------------------------

/** Size of `e_ident`. */
export const EI_NIDENT = 16;
/** `e_ident` index of the file class byte. */
export const EI_CLASS = 4;
/** `e_ident` index of the data encoding (endianness) byte. */
export const EI_DATA = 5;
/** `e_ident` index of the ELF identification version byte. */
export const EI_VERSION = 6;
/** `e_ident` index of the OS/ABI byte. */
export const EI_OSABI = 7;
/** `e_ident` index of the ABI version byte. */
export const EI_ABIVERSION = 8;

/** Invalid class. */
export const ELFCLASSNONE = 0;
/** 32-bit objects (rejected by the reader). */
export const ELFCLASS32 = 1;
/** 64-bit objects (the only class the reader accepts). */
export const ELFCLASS64 = 2;

/** Invalid data encoding. */
export const ELFDATANONE = 0;
/** Two's complement, little-endian. */
export const ELFDATA2LSB = 1;
/** Two's complement, big-endian. */
export const ELFDATA2MSB = 2;

/** The only ELF version (`EI_VERSION` and `e_version`). */
export const EV_CURRENT = 1;

// ---- e_type -------------------------------------------------------------------------------------------------

/** No file type. */
export const ET_NONE = 0;
/** Relocatable object: the only type the linker accepts. */
export const ET_REL = 1;
/** Executable. */
export const ET_EXEC = 2;
/** Shared object. */
export const ET_DYN = 3;
/** Core file. */
export const ET_CORE = 4;

// ---- e_machine ----------------------------------------------------------------------------------------------

/** No machine. */
export const EM_NONE = 0;
/** Intel 80386. */
export const EM_386 = 3;
/** 32-bit Arm. */
export const EM_ARM = 40;
/** AMD x86-64. */
export const EM_X86_64 = 62;
/** Arm 64-bit (AArch64). */
export const EM_AARCH64 = 183;
/** RISC-V. */
export const EM_RISCV = 243;

// ---- Sizes of ELF64 structures --------------------------------------------------------------------------------

/** Size of the ELF64 file header (`Elf64_Ehdr`). */
export const ELF64_EHDR_SIZE = 64;
/** Size of an ELF64 section header (`Elf64_Shdr`). */
export const ELF64_SHDR_SIZE = 64;
/** Size of an ELF64 symbol (`Elf64_Sym`). */
export const ELF64_SYM_SIZE = 24;
/** Size of an ELF64 relocation with addend (`Elf64_Rela`). */
export const ELF64_RELA_SIZE = 24;
/** Size of one `SHT_SYMTAB_SHNDX` entry (`Elf64_Word`). */
export const ELF64_SHNDX_ENTRY_SIZE = 4;

// ---- Special section indices ----------------------------------------------------------------------------------

/** Undefined section (undefined symbols; "no section"). */
export const SHN_UNDEF = 0;
/** First reserved section index. */
export const SHN_LORESERVE = 0xff00;
/** First processor-specific reserved index. */
export const SHN_LOPROC = 0xff00;
/** Last processor-specific reserved index. */
export const SHN_HIPROC = 0xff1f;
/** First OS-specific reserved index. */
export const SHN_LOOS = 0xff20;
/** Last OS-specific reserved index. */
export const SHN_HIOS = 0xff3f;
/** Absolute symbols. */
export const SHN_ABS = 0xfff1;
/** Common (tentative) symbols; `st_value` holds the alignment. */
export const SHN_COMMON = 0xfff2;
/** The real index is in the `SHT_SYMTAB_SHNDX` section (or, in `e_shstrndx`, in section 0's `sh_link`). */
export const SHN_XINDEX = 0xffff;
/** Last reserved section index. */
export const SHN_HIRESERVE = 0xffff;

// ---- sh_type --------------------------------------------------------------------------------------------------

/** Inactive section header. */
export const SHT_NULL = 0;
/** Program-defined contents. */
export const SHT_PROGBITS = 1;
/** Link-editing symbol table. */
export const SHT_SYMTAB = 2;
/** String table. */
export const SHT_STRTAB = 3;
/** Relocations with explicit addends. */
export const SHT_RELA = 4;
/** Symbol hash table. */
export const SHT_HASH = 5;
/** Dynamic linking information. */
export const SHT_DYNAMIC = 6;
/** Notes. */
export const SHT_NOTE = 7;
/** Occupies no file space (`.bss`). */
export const SHT_NOBITS = 8;
/** Relocations without addends (not decoded by the reader). */
export const SHT_REL = 9;
/** Reserved. */
export const SHT_SHLIB = 10;
/** Dynamic symbol table. */
export const SHT_DYNSYM = 11;
/** Array of initializer function pointers. */
export const SHT_INIT_ARRAY = 14;
/** Array of finalizer function pointers. */
export const SHT_FINI_ARRAY = 15;
/** Array of pre-initializer function pointers. */
export const SHT_PREINIT_ARRAY = 16;
/** Section group. */
export const SHT_GROUP = 17;
/** Extended section indices for a symbol table. */
export const SHT_SYMTAB_SHNDX = 18;

// ---- sh_flags -------------------------------------------------------------------------------------------------

/** Writable. */
export const SHF_WRITE = 0x1;
/** Occupies memory during execution. */
export const SHF_ALLOC = 0x2;
/** Executable. */
export const SHF_EXECINSTR = 0x4;
/** Might be merged. */
export const SHF_MERGE = 0x10;
/** Contains NUL-terminated strings. */
export const SHF_STRINGS = 0x20;
/** `sh_info` holds a section index. */
export const SHF_INFO_LINK = 0x40;
/** Preserve order after combining. */
export const SHF_LINK_ORDER = 0x80;
/** Non-standard OS-specific handling required. */
export const SHF_OS_NONCONFORMING = 0x100;
/** Member of a section group. */
export const SHF_GROUP = 0x200;
/** Holds thread-local data. */
export const SHF_TLS = 0x400;
/** Compressed contents. */
export const SHF_COMPRESSED = 0x800;
/** GNU: do not garbage-collect. */
export const SHF_GNU_RETAIN = 0x200000;
/** Excluded from the link unless referenced. */
export const SHF_EXCLUDE = 0x80000000;

// ---- Symbols --------------------------------------------------------------------------------------------------

/** Symbol type: unspecified. */
export const STT_NOTYPE = 0;
/** Symbol type: data object. */
export const STT_OBJECT = 1;
/** Symbol type: function. */
export const STT_FUNC = 2;
/** Symbol type: section. */
export const STT_SECTION = 3;
/** Symbol type: source file name. */
export const STT_FILE = 4;
/** Symbol type: uninitialized common block. */
export const STT_COMMON = 5;
/** Symbol type: thread-local data object. */
export const STT_TLS = 6;
/** Symbol type: GNU indirect function. */
export const STT_GNU_IFUNC = 10;

/** Symbol binding: local. */
export const STB_LOCAL = 0;
/** Symbol binding: global. */
export const STB_GLOBAL = 1;
/** Symbol binding: weak. */
export const STB_WEAK = 2;
/** Symbol binding: GNU unique. */
export const STB_GNU_UNIQUE = 10;

/** Symbol visibility: default. */
export const STV_DEFAULT = 0;
/** Symbol visibility: internal. */
export const STV_INTERNAL = 1;
/** Symbol visibility: hidden. */
export const STV_HIDDEN = 2;
/** Symbol visibility: protected. */
export const STV_PROTECTED = 3;

/** Returns the printable name of an `e_type` value (`ET_REL`, ...), or its number. */
export function elfTypeName(type: number): string {
  switch (type) {
    case ET_NONE:
      return 'ET_NONE';
    case ET_REL:
      return 'ET_REL';
    case ET_EXEC:
      return 'ET_EXEC';
    case ET_DYN:
      return 'ET_DYN';
    case ET_CORE:
      return 'ET_CORE';
    default:
      return `0x${type.toString(16)}`;
  }
}
