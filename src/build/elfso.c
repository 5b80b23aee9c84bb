/*
 * Incremental SONAME reader (see elfso.h).
 *
 * This mirrors what glibc 2.36's ldconfig does with one file (process_file
 * and the x86 process_elf_file) on Debian 12 x86-64, but from a stream:
 * ldconfig mmaps the whole file, we see each byte once.  Where ldconfig
 * reads past what it checked (it only checks that pointers start inside
 * the file), we stop and say "not a library": such files are hostile, and
 * no UB is worth matching.
 */
#include "elfso.h"

#include <stdlib.h>
#include <string.h>


#define DYN_MAX  (256u << 10) /* PT_DYNAMIC bytes kept; real ones are ~1 KiB */
#define RUN_MAX  4096         /* longest string kept past the prefix */
#define RUNS_MAX 16384
#define WANT_MAX 8

#define EM_386_        3
#define EM_X86_64_     62
#define ET_DYN_        3
#define PT_LOAD_       1
#define PT_DYNAMIC_    2
#define PT_INTERP_     3
#define PT_GNU_PROPERTY_ 0x6474e553u
#define DT_NULL_       0
#define DT_NEEDED_     1
#define DT_STRTAB_     5
#define DT_SONAME_     14
#define NT_GNU_PROPERTY_TYPE_0_ 5
#define GNU_PROPERTY_X86_ISA_1_NEEDED_ 0xc0008002u

/* A NUL-terminated string past the prefix: store[at .. at+len]. */
struct run {
	uint64_t off;
	size_t at, len;
};

/* A string the dynamic section names, captured when it streams past. */
struct want {
	uint64_t off;
	size_t len;
	int state; /* 0 waiting, 1 complete, -1 too long */
	char buf[RUN_MAX + 1];
};

struct elfso {
	unsigned char *pre; /* the first ELFSO_PREFIX bytes */
	size_t plen, palloc;
	uint64_t pos;       /* bytes fed so far */
	int dead;           /* neither ELF nor a.out: ignore the rest */
	int aout;
	int magic_seen;

	int parsed;         /* program headers seen */
	int is64;
	uint64_t dyn_off, dyn_size; /* the last PT_DYNAMIC */
	unsigned char *dyn;
	size_t dyn_keep;
	int dyn_armed;      /* wants computed from the dynamic section */

	/* Strings containing ".so" that end past the prefix. */
	char *store;
	size_t slen;
	struct run *runs;
	size_t nruns;
	int store_full;
	char run[RUN_MAX];
	size_t runlen;
	uint64_t runoff;
	int runlong;

	struct want *want;
	size_t nwant;
};

static uint16_t rd16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t rd64(const unsigned char *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

/* An address-sized field ("word" is 4 or 8 bytes). */
static uint64_t rdw(const unsigned char *p, int is64)
{
	return is64 ? rd64(p) : rd32(p);
}

struct elfso *elfso_new(void)
{
	return calloc(1, sizeof(struct elfso));
}

void elfso_free(struct elfso *e)
{
	if (e == NULL)
		return;
	free(e->pre);
	free(e->dyn);
	free(e->store);
	free(e->runs);
	free(e->want);
	free(e);
}

static void die(struct elfso *e)
{
	e->dead = 1;
	free(e->pre);
	free(e->dyn);
	free(e->store);
	free(e->runs);
	free(e->want);
	e->pre = e->dyn = NULL;
	e->store = NULL;
	e->runs = NULL;
	e->want = NULL;
	e->plen = e->palloc = e->dyn_keep = e->slen = e->nruns = e->nwant = 0;
}

struct phdr {
	uint32_t type;
	uint64_t offset, vaddr, filesz, align;
};

static void read_phdr(const struct elfso *e, uint64_t at, struct phdr *ph)
{
	const unsigned char *p = e->pre + at;

	ph->type = rd32(p);
	if (e->is64) {
		ph->offset = rd64(p + 8);
		ph->vaddr = rd64(p + 16);
		ph->filesz = rd64(p + 32);
		ph->align = rd64(p + 48);
	} else {
		ph->offset = rd32(p + 4);
		ph->vaddr = rd32(p + 8);
		ph->filesz = rd32(p + 16);
		ph->align = rd32(p + 28);
	}
}

static uint64_t e_phoff(const struct elfso *e)
{
	return e->is64 ? rd64(e->pre + 32) : rd32(e->pre + 28);
}

static unsigned e_phnum(const struct elfso *e)
{
	return rd16(e->pre + (e->is64 ? 56 : 44));
}

static uint64_t phsize(const struct elfso *e)
{
	return e->is64 ? 56 : 32;
}

/* Are the program headers all inside the prefix? -1 never, 0 not yet. */
static int phdrs_here(const struct elfso *e)
{
	uint64_t off = e_phoff(e), end;

	if (off > ELFSO_PREFIX)
		return -1;
	end = off + e_phnum(e) * phsize(e);
	if (end > ELFSO_PREFIX)
		return -1;
	return end <= e->plen;
}

/*
 * The program headers are in: note where PT_DYNAMIC is, so that it can
 * be captured as it streams past, and copy what already went by.
 */
static int parse_headers(struct elfso *e)
{
	uint64_t off = e_phoff(e);
	unsigned i, n = e_phnum(e);
	int have = 0;

	e->parsed = 1;
	for (i = 0; i < n; i++) {
		struct phdr ph;

		read_phdr(e, off + i * phsize(e), &ph);
		if (ph.type == PT_DYNAMIC_) {
			/* ldconfig keeps the offset in an unsigned int. */
			e->dyn_off = (uint32_t)ph.offset;
			e->dyn_size = ph.filesz;
			have = 1;
		}
	}
	if (!have || e->dyn_size == 0)
		return 0;
	e->dyn_keep = e->dyn_size < DYN_MAX ? (size_t)e->dyn_size : DYN_MAX;
	if ((e->dyn = calloc(1, e->dyn_keep)) == NULL)
		return -1;
	if (e->dyn_off < e->plen) {
		size_t k = e->plen - (size_t)e->dyn_off;

		memcpy(e->dyn, e->pre + e->dyn_off, k < e->dyn_keep ? k : e->dyn_keep);
	}
	return 0;
}

/* Copy the part of [pos, pos+len) that falls in [off, off+size) to dst. */
static void overlap(unsigned char *dst, uint64_t off, uint64_t size,
		    const unsigned char *src, uint64_t pos, size_t len)
{
	uint64_t a = pos > off ? pos : off;
	uint64_t b = pos + len < off + size ? pos + len : off + size;

	if (off + size < off)  /* wrapped: cannot be in any file */
		return;
	if (a < b)
		memcpy(dst + (a - off), src + (a - pos), (size_t)(b - a));
}

static int store_run(struct elfso *e)
{
	char *s;
	struct run *r;

	if (e->slen + e->runlen + 1 > ELFSO_STORE_MAX || e->nruns == RUNS_MAX) {
		e->store_full = 1;
		return 0;
	}
	if ((s = realloc(e->store, e->slen + e->runlen + 1)) == NULL)
		return -1;
	e->store = s;
	if ((r = realloc(e->runs, (e->nruns + 1) * sizeof(*r))) == NULL)
		return -1;
	e->runs = r;
	memcpy(s + e->slen, e->run, e->runlen);
	s[e->slen + e->runlen] = '\0';
	r[e->nruns].off = e->runoff;
	r[e->nruns].at = e->slen;
	r[e->nruns].len = e->runlen;
	e->nruns++;
	e->slen += e->runlen + 1;
	return 0;
}

/*
 * Keep NUL-terminated strings that contain ".so" and end past the prefix:
 * needed names and SONAMEs of large libraries (libLLVM's .dynstr runs past
 * 1 MiB) are found here when the dynamic section names them later.
 */
static int track_runs(struct elfso *e, const unsigned char *p, size_t len,
		      uint64_t pos)
{
	while (len) {
		const unsigned char *z = memchr(p, 0, len);
		size_t n = z ? (size_t)(z - p) : len;

		if (!e->runlong) {
			if (e->runlen + n > RUN_MAX) {
				e->runlong = 1;
			} else {
				memcpy(e->run + e->runlen, p, n);
				e->runlen += n;
			}
		}
		if (z == NULL)
			return 0;
		if (!e->runlong && e->runoff + e->runlen >= ELFSO_PREFIX &&
		    e->runlen >= 3 && memmem(e->run, e->runlen, ".so", 3) &&
		    store_run(e) < 0)
			return -1;
		e->runlen = 0;
		e->runlong = 0;
		e->runoff = pos + n + 1;
		p += n + 1;
		pos += n + 1;
		len -= n + 1;
		if (e->store_full)
			return 0;
	}
	return 0;
}

static void capture_wants(struct elfso *e, const unsigned char *p, size_t len,
			  uint64_t pos)
{
	size_t i;

	for (i = 0; i < e->nwant; i++) {
		struct want *w = &e->want[i];
		uint64_t at = w->off + w->len;

		while (w->state == 0 && at >= pos && at < pos + len) {
			unsigned char c = p[at - pos];

			if (c == 0) {
				w->state = 1;
				break;
			}
			if (w->len == RUN_MAX) {
				w->state = -1;
				break;
			}
			w->buf[w->len++] = (char)c;
			at++;
		}
	}
}

static uint64_t load_bias(const struct elfso *e, uint64_t vaddr);

/*
 * The dynamic section went by: find the strings its DT_SONAME and
 * DT_NEEDED entries name that are still ahead, so they can be caught.
 */
static int arm_wants(struct elfso *e)
{
	size_t esz = e->is64 ? 16 : 8, k;
	uint64_t strtab = 0;
	int have = 0;

	e->dyn_armed = 1;
	for (k = 0; (k + 1) * esz <= e->dyn_keep; k++) {
		const unsigned char *d = e->dyn + k * esz;
		uint64_t tag = rdw(d, e->is64), val = rdw(d + esz / 2, e->is64);

		if (tag == DT_NULL_)
			break;
		if (tag == DT_STRTAB_) {
			strtab = val - load_bias(e, val);
			have = 1;
			break;
		}
	}
	if (!have)
		return 0;
	for (k = 0; (k + 1) * esz <= e->dyn_keep && e->nwant < WANT_MAX; k++) {
		const unsigned char *d = e->dyn + k * esz;
		uint64_t tag = rdw(d, e->is64), val = rdw(d + esz / 2, e->is64);
		uint64_t off = strtab + val;

		if (tag == DT_NULL_)
			break;
		if ((tag != DT_SONAME_ && tag != DT_NEEDED_) || off < e->pos ||
		    off < ELFSO_PREFIX)
			continue;
		if (e->want == NULL &&
		    (e->want = calloc(WANT_MAX, sizeof(*e->want))) == NULL)
			return -1;
		e->want[e->nwant].off = off;
		e->want[e->nwant].len = 0;
		e->want[e->nwant].state = 0;
		e->nwant++;
	}
	return 0;
}

/* Bytes [pos, pos+len) of the file, in prefix or past it. */
static int scan(struct elfso *e, const unsigned char *p, size_t len)
{
	uint64_t pos = e->pos;

	if (e->dyn)
		overlap(e->dyn, e->dyn_off, e->dyn_keep, p, pos, len);
	capture_wants(e, p, len, pos);
	if (pos + len + RUN_MAX < ELFSO_PREFIX) {
		/* A string must end past the prefix to be kept, so one that
		 * starts here would be too long anyway. */
		const unsigned char *z = memrchr(p, 0, len);

		if (z) {
			e->runoff = pos + (uint64_t)(z - p) + 1;
			e->runlen = 0;
			e->runlong = 0;
		} else {
			e->runlong = 1;
		}
	} else if (!e->store_full && track_runs(e, p, len, pos) < 0) {
		return -1;
	}
	e->pos += len;
	if (e->dyn && !e->dyn_armed && e->pos >= e->dyn_off + e->dyn_keep &&
	    arm_wants(e) < 0)
		return -1;
	return 0;
}

/* Decide what the file is as soon as the prefix tells. */
static int classify(struct elfso *e)
{
	int r;

	if (e->plen < 4)
		return 0;
	if (!e->magic_seen) {
		/* ldconfig's a.out check (N_MAGIC is ZMAGIC or QMAGIC) comes
		 * before the ELF one. */
		uint16_t m = rd16(e->pre);

		e->magic_seen = 1;
		if (m == 0413 || m == 0314) {
			e->aout = 1;
			return 0;
		}
		if (memcmp(e->pre, "\177ELF", 4) != 0) {
			die(e);
			return 0;
		}
	}
	if (e->parsed || e->plen < 64)
		return 0;
	e->is64 = e->pre[4] != 1;
	r = phdrs_here(e);
	if (r < 0)
		die(e);
	else if (r > 0)
		return parse_headers(e);
	return 0;
}

int elfso_feed(struct elfso *e, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	while (len && !e->dead && !e->aout) {
		size_t n;

		if (e->plen == ELFSO_PREFIX) {
			if (!e->parsed) {
				/* Program headers past 1 MiB: no linker does that. */
				die(e);
				break;
			}
			return scan(e, p, len);
		}
		n = ELFSO_PREFIX - e->plen;
		if (n > len)
			n = len;
		if (e->plen + n > e->palloc) {
			size_t a = e->palloc ? e->palloc : 4096;
			unsigned char *q;

			while (a < e->plen + n)
				a *= 2;
			if (a > ELFSO_PREFIX)
				a = ELFSO_PREFIX;
			if ((q = realloc(e->pre, a)) == NULL)
				return -1;
			e->pre = q;
			e->palloc = a;
		}
		memcpy(e->pre + e->plen, p, n);
		e->plen += n;
		if (scan(e, p, n) < 0 || classify(e) < 0)
			return -1;
		p += n;
		len -= n;
	}
	/* Not interesting any more: only the size counts. */
	e->pos += len;
	return 0;
}

/* ldconfig maps DT_STRTAB's vaddr through the first PT_LOAD holding it. */
static uint64_t load_bias(const struct elfso *e, uint64_t vaddr)
{
	uint64_t off = e_phoff(e), mask = e->is64 ? UINT64_MAX : UINT32_MAX;
	unsigned i, n = e_phnum(e);

	for (i = 0; i < n; i++) {
		struct phdr ph;

		read_phdr(e, off + i * phsize(e), &ph);
		if (ph.type == PT_LOAD_ && vaddr >= ph.vaddr &&
		    vaddr - ph.vaddr < ph.filesz) {
			uint64_t bias = (ph.vaddr - ph.offset) & mask;

			/* (ElfW(Off)) -1 is ldconfig's "none found". */
			return bias == mask ? 0 : bias;
		}
	}
	return 0;
}

/*
 * The string at file offset off, or NULL when it is not known (outside
 * what was kept) or not terminated inside the file.
 */
static const char *get_string(const struct elfso *e, uint64_t off)
{
	size_t i, lo, hi;

	if (off > e->pos)
		return NULL;
	if (off == e->pos)
		return ""; /* ldconfig reads the mapping's zero fill */
	for (i = 0; i < e->nwant; i++)
		if (e->want[i].off == off && e->want[i].state == 1)
			return e->want[i].buf;
	if (off < e->plen && memchr(e->pre + off, 0, e->plen - off))
		return (const char *)e->pre + off;
	lo = 0;
	hi = e->nruns;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct run *r = &e->runs[mid];

		if (off < r->off)
			hi = mid;
		else if (off > r->off + r->len)
			lo = mid + 1;
		else
			return e->store + r->at + (off - r->off);
	}
	return NULL;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* GNU_PROPERTY_X86_ISA_1_NEEDED from one PT_GNU_PROPERTY, as ldconfig. */
static void read_isa_level(const struct elfso *e, const struct phdr *ph,
			   unsigned *isa)
{
	uint64_t a = e->is64 ? 8 : 4, base = ph->offset, size = ph->filesz;
	uint64_t n_off = 0;

	/* Only notes inside the prefix are looked at; real ones sit in the
	 * first page. */
	if (base > e->plen || size > e->plen - base)
		return;
	while (n_off + 12 < size) {
		const unsigned char *nh = e->pre + base + n_off;
		uint32_t namesz = rd32(nh), descsz = rd32(nh + 4), type = rd32(nh + 8);

		if (namesz == 4 && type == NT_GNU_PROPERTY_TYPE_0_ &&
		    n_off + 16 <= size && memcmp(nh + 12, "GNU", 4) == 0) {
			uint64_t ptr = n_off + 16, end = ptr + descsz;
			uint32_t last = 0;

			if (descsz < 8 || descsz % a != 0)
				return;
			do {
				uint32_t pt, datasz;

				if (ptr + 8 > size)
					return;
				pt = rd32(e->pre + base + ptr);
				datasz = rd32(e->pre + base + ptr + 4);
				if (pt < last)
					return;
				ptr += 8;
				if (ptr + datasz > end)
					return;
				last = pt;
				if (pt > GNU_PROPERTY_X86_ISA_1_NEEDED_)
					return;
				if (pt == GNU_PROPERTY_X86_ISA_1_NEEDED_) {
					uint32_t v, lvl = 0;

					if (datasz != 4 || ptr + 4 > size)
						return;
					v = rd32(e->pre + base + ptr);
					if (v != 0) {
						while (v >>= 1)
							lvl++;
						*isa = lvl;
					}
					return;
				}
				ptr += align_up(datasz, a);
			} while (ptr <= end && end - ptr >= 8);
			return;
		}
		n_off += align_up(align_up(12 + (uint64_t)namesz, ph->align) +
				  descsz, ph->align);
	}
}

int elfso_finish(struct elfso *e, char **soname, uint32_t *flags)
{
	static const char *const interpreters[] = {
		"/lib/ld-linux-x86-64.so.2", "/lib/ld-linux.so.2",
		"/libx32/ld-linux-x32.so.2", "/lib64/ld-linux-x86-64.so.2",
	};
	uint64_t size = e->pos, phoff, strtab = 0;
	unsigned i, phnum, isa = 0;
	int flag = FLAG_ELF, file_flag, have_strtab = 0;
	size_t esz, k, avail;
	const char *name = NULL;

	*soname = NULL;
	*flags = 0;
	/* ldconfig skips files smaller than an Elf64_Ehdr (and a.out header). */
	if (size < 64)
		return 0;
	if (e->aout) {
		*flags = FLAG_LIBC4;
		return 1;
	}
	if (e->dead || !e->parsed || rd16(e->pre + 16) != ET_DYN_)
		return 0;

	switch (rd16(e->pre + 18)) {
	case EM_X86_64_:
		file_flag = FLAG_ELF_LIBC6 |
			    (e->pre[4] == 1 ? FLAG_X8664_LIBX32 : FLAG_X8664_LIB64);
		break;
	case EM_386_:
		if (e->pre[4] == 1) {
			file_flag = 0;
			break;
		}
		return 0;
	default:
		return 0;
	}
	if (e->pre[4] != 1 && e->pre[4] != 2)
		return 0;

	phoff = e_phoff(e);
	phnum = e_phnum(e);
	if (phoff > size)
		return 0;
	for (i = 0; i < phnum; i++) {
		uint64_t at = phoff + i * phsize(e);
		struct phdr ph;
		const char *interp;
		size_t j;

		if (at + phsize(e) > size)
			return 0;
		read_phdr(e, at, &ph);
		switch (ph.type) {
		case PT_INTERP_:
			if (ph.offset > size)
				return 0;
			interp = get_string(e, ph.offset);
			for (j = 0; interp && j < sizeof(interpreters) / sizeof(*interpreters); j++)
				if (strcmp(interp, interpreters[j]) == 0) {
					flag = FLAG_ELF_LIBC6;
					break;
				}
			break;
		case PT_GNU_PROPERTY_:
			if (ph.align == (e->is64 ? 8u : 4u))
				read_isa_level(e, &ph, &isa);
			break;
		}
	}

	if (e->dyn == NULL || e->dyn_off > size)
		return 0;
	esz = e->is64 ? 16 : 8;
	avail = e->dyn_keep;
	if (size - e->dyn_off < avail)
		avail = (size_t)(size - e->dyn_off);
	for (k = 0;; k++) {
		const unsigned char *d = e->dyn + k * esz;
		uint64_t tag, val;

		if ((k + 1) * esz > avail)
			return 0;
		tag = rdw(d, e->is64);
		val = rdw(d + esz / 2, e->is64);
		if (tag == DT_NULL_)
			break;
		if (tag == DT_STRTAB_) {
			strtab = val - load_bias(e, val);
			if (strtab > size)
				return 0;
			have_strtab = 1;
			break;
		}
	}
	if (!have_strtab)
		return 0;

	for (k = 0;; k++) {
		const unsigned char *d = e->dyn + k * esz;
		uint64_t tag, off;

		if ((k + 1) * esz > avail)
			return 0;
		tag = rdw(d, e->is64);
		if (tag == DT_NULL_)
			break;
		if (tag != DT_NEEDED_ && tag != DT_SONAME_)
			continue;
		/* 64-bit arithmetic as ldconfig's pointer arithmetic. */
		off = strtab + rdw(d + esz / 2, e->is64);
		if (off > size)
			return 0;
		if (tag == DT_NEEDED_) {
			const char *s = get_string(e, off);

			/* An unknown needed name just does not classify. */
			if (flag == FLAG_ELF && s &&
			    (strcmp(s, "libc.so.6") == 0 || strcmp(s, "libm.so.6") == 0))
				flag = FLAG_ELF_LIBC6;
		} else {
			/* A SONAME we did not keep: we cannot tell, so "no". */
			if ((name = get_string(e, off)) == NULL)
				return 0;
		}
		if (name && flag != FLAG_ELF)
			break;
	}

	if (file_flag)
		flag = file_flag;
	if (name && (*soname = strdup(name)) == NULL)
		return -1;
	*flags = (uint32_t)flag | (uint32_t)isa << 16;
	return 1;
}
