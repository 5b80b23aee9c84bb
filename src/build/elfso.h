/*
 * Incremental SONAME reader: learns what ldconfig would learn about a file
 * (its DT_SONAME and its ld.so.cache flags) from the file's bytes as they
 * stream from a package archive into the image, so that gapimg can write
 * /etc/ld.so.cache without running ldconfig and without a second pass.
 *
 * Memory stays bounded whatever the file size: the first ELFSO_PREFIX
 * bytes are kept (ELF header, program headers and, with every real
 * linker, .dynstr), PT_DYNAMIC is captured when it streams past, and past
 * the prefix only short NUL-terminated strings containing ".so" are kept
 * (at most ELFSO_STORE_MAX bytes), plus the exact DT_SONAME/DT_NEEDED
 * strings once the dynamic section has told us where they are.  A SONAME
 * that lies past the prefix, before PT_DYNAMIC and without ".so" in it
 * (or longer than 4 KiB) cannot be found: elfso_finish() then says 0 (not
 * a library), which is the only way it differs from ldconfig on a
 * well-formed file.  Real libraries are fine: libLLVM-15's SONAME sits
 * past 1 MiB and is found among the ".so" strings; cuDNN's sit past its
 * PT_DYNAMIC and are caught on the way.
 */
#ifndef GAPIMG_BUILD_ELFSO_H
#define GAPIMG_BUILD_ELFSO_H

#include <stddef.h>
#include <stdint.h>

#define ELFSO_PREFIX    (1u << 20)
#define ELFSO_STORE_MAX (1u << 20)

/* ld.so.cache entry flags (glibc's FLAG_* values). */
#define FLAG_LIBC4        0x0000
#define FLAG_ELF          0x0001
#define FLAG_ELF_LIBC5    0x0002
#define FLAG_ELF_LIBC6    0x0003
#define FLAG_X8664_LIB64  0x0300
#define FLAG_X8664_LIBX32 0x0800

/*
 * elfso_finish() packs two things into *flags: the cache entry flags in
 * the low 16 bits, and the x86 ISA level (GNU_PROPERTY_X86_ISA_1_NEEDED,
 * 0 for baseline) above them.  ldconfig only uses the ISA level for
 * libraries in glibc-hwcaps subdirectories; ldcache_add_file() unpacks it,
 * so a caller just passes *flags through.
 */
#define ELFSO_CACHE_FLAGS(f) ((f) & 0xffffu)
#define ELFSO_ISA_LEVEL(f)   ((f) >> 16)

struct elfso;

/* NULL on ENOMEM. */
struct elfso *elfso_new(void);

/*
 * Feed the file's bytes in order, in chunks of any size.  Never fails on
 * hostile input (it just stops caring); -1 only on ENOMEM.
 */
int elfso_feed(struct elfso *e, const void *buf, size_t len);

/*
 * After the last byte.  1 when ldconfig (Debian 12, glibc 2.36, x86-64)
 * would take the file as a library: *soname is the DT_SONAME (malloc'd) or
 * NULL when the library has none (ldconfig then uses the file name, and
 * so does ldcache_add_file()), *flags as above.  This covers x86-64, x32
 * and i386 ELF shared objects (i386 ones get FLAG_ELF_LIBC6 only when
 * they need libc.so.6/libm.so.6 or name a known interpreter, FLAG_ELF
 * otherwise, as ldconfig does), and a.out ZMAGIC/QMAGIC files (flags
 * FLAG_LIBC4, no soname).  0 when not (not ELF, not ET_DYN, no
 * PT_DYNAMIC or DT_STRTAB, truncated, malformed, other machine), -1 on
 * ENOMEM.  Call it once.
 */
int elfso_finish(struct elfso *e, char **soname, uint32_t *flags);

void elfso_free(struct elfso *e);

#endif
