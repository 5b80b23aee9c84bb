/*
 * libFuzzer target for two readers of untrusted text: the lock file reader
 * (gapimg_lock_parse) and the clearsigned-message parser that reads a
 * Debian InRelease (mirror_verify_clearsigned: with verify=0, parse only;
 * then with verify=1 and no keys).  The first input byte chooses the
 * reader, the rest is the text:
 *
 *   'K'                                  OpenPGP key files (see below)
 *   even (corpus files start with 'L')   the lock reader
 *   odd  (corpus files start with 'I')   the InRelease parser
 *
 * Key files (src/mirror/sig.c mirror_keys_add, src/mirror/eddsa.c): the
 * text goes through the key sanitizer (EdDSA signatures hidden from
 * libsolv, subkey bindings and revocations checked with OpenSSL) into
 * libsolv's key reader; every signature packet in it is also parsed and
 * checked against the first public key packet.  Only the sanitizers judge
 * (a key file is what the operator trusts, so there is no result to
 * compare); -1 (out of memory) would be a bug.
 *
 * Also linked into fuzz_replay_lock (replay.c), so that gcc builds without
 * libFuzzer run tests/fuzz/corpus-lock as a regression test.
 *
 * Besides the sanitizers, the promises the callers rely on are checked;
 * abort() makes libFuzzer save the input.
 *
 * Lock reader (include/gapimg/lock.h, src/lock/lock.c):
 *   - it returns 0 or -1;
 *   - -1: err holds GAPIMG_E_INVALID and a message that names the file
 *     ("fuzz.lock:LINE: ..." or "fuzz.lock: ..."); text with a NUL byte
 *     is always refused.  GAPIMG_E_NOMEM would be a mislabelled bug:
 *     memory does not run out on inputs this small, and the sanitizers'
 *     malloc aborts rather than return NULL;
 *   - 0: what the reader checks holds in the result (an arch, a recipe
 *     digest and metadata/sha256 of 64 lowercase hex digits, unique mirror
 *     ids, every package from a listed mirror, no package twice, order >=
 *     1, a location inside the mirror), gapimg_lock_format succeeds, its
 *     output reads back, and formatting that again gives the same bytes:
 *     format(parse(format(parse(x)))) == format(parse(x)).
 *
 * InRelease parser (src/mirror/sig.c):
 *   - it returns 0 or -1;
 *   - -1: err holds GAPIMG_E_CORRUPT and a message that names the mirror
 *     ("mirror fuzz: ") and the file ("InRelease");
 *   - 0: the text starts with the "-----BEGIN PGP SIGNED MESSAGE-----"
 *     line and has a line that starts with "-----BEGIN PGP SIGNATURE-----";
 *     the content is empty or ends with a newline, is no longer than the
 *     text, holds exactly the signed characters (no line ends in a blank:
 *     trailing spaces and tabs are not signed), and survives a round trip: dash-escaped again (RFC 4880 7.1)
 *     with CR LF line ends into a fresh clearsigned message, it parses
 *     back to the same bytes.  (A content line may itself start with
 *     "-----BEGIN PGP SIGNATURE-----": dash escaping is there to allow
 *     that, so it is no promise.)
 *   - a text that parses is then verified too (verify=1), against a
 *     mirror with no keys: that runs the armor and OpenPGP packet parsers
 *     over the signature block, and must fail (-1, GAPIMG_E_CORRUPT, the
 *     message as above) whatever the block holds.
 *
 * Both parsers take (text, len), and their callers happen to pass
 * NUL-terminated strbufs; a parser that leans on that NUL (sscanf, strlen,
 * strchr on the text) would read past len.  ASan does not see such reads
 * inside libc, which is not instrumented, so every text is copied to end
 * exactly where a page ends, before a PROT_NONE guard page: a read past
 * the end faults.  (The lock reader used to read "\xHH" with sscanf,
 * which scans for a NUL through the rest of the heap; fixed in 3c04e8f.)
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gapimg/error.h"
#include "gapimg/lock.h"
#include "gapimg/resolve.h"
#include "gapimg/strbuf.h"
#include "mirror/eddsa.h"
#include "mirror/mirror.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- texts that end at a guard page ---- */

static char *region;       /* mapping: region_size readable bytes, then a guard page */
static size_t region_size;

/* A copy of data[0..len) whose last byte is the last readable byte before
 * a PROT_NONE page; valid until the next call. */
static const char *guarded(const void *data, size_t len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	if (region == NULL || len > region_size) {
		size_t want = len ? (len + page - 1) / page * page : page;
		void *m;

		if (region != NULL)
			munmap(region, region_size + page);
		m = mmap(NULL, want + page, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED || mprotect((char *)m + want, page, PROT_NONE) < 0)
			abort();
		region = m;
		region_size = want;
	}
	if (len)
		memcpy(region + region_size - len, data, len);
	return region + region_size - len;
}

/* ---- the lock reader ---- */

static int is_hex64(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[64] == '\0';
}

/* What gapimg_lock_parse checks, as it should hold in its result. */
static void check_resolution(const struct gapimg_resolution *res)
{
	size_t i, j;

	if (res->arch == NULL || !is_hex64(res->recipe_digest))
		abort();
	if (res->family != GAPIMG_FAMILY_RPM && res->family != GAPIMG_FAMILY_DEB)
		abort();
	if ((res->nmirrors && res->mirrors == NULL) ||
	    (res->npackages && res->packages == NULL))
		abort();
	for (i = 0; i < res->nmirrors; i++) {
		const struct gapimg_mirror_info *m = &res->mirrors[i];

		if (m->id == NULL || !is_hex64(m->metadata_sha256))
			abort();
		if (m->type < GAPIMG_MIRROR_RPM_MD || m->type > GAPIMG_MIRROR_WHEELS)
			abort();
		for (j = 0; j < i; j++)
			if (strcmp(res->mirrors[j].id, m->id) == 0)
				abort();
	}
	for (i = 0; i < res->npackages; i++) {
		const struct gapimg_package *p = &res->packages[i];
		int known = 0;

		if (!p->name || !p->evr || !p->arch || !p->mirror || !p->location)
			abort();
		if (p->order == 0 || !is_hex64(p->sha256))
			abort();
		if (p->location[0] == '\0' || p->location[0] == '/' || strstr(p->location, ".."))
			abort();
		for (j = 0; j < res->nmirrors; j++)
			if (strcmp(res->mirrors[j].id, p->mirror) == 0)
				known = 1;
		if (!known)
			abort();
		for (j = 0; j < i; j++) {
			const struct gapimg_package *q = &res->packages[j];

			if (strcmp(q->name, p->name) == 0 && strcmp(q->evr, p->evr) == 0 &&
			    strcmp(q->arch, p->arch) == 0 && strcmp(q->mirror, p->mirror) == 0)
				abort();
		}
	}
}

/* Parse text; check the error or the result.  Returns the parser's rc. */
static int lock_parse_checked(const char *text, size_t len, struct gapimg_resolution *res)
{
	struct gapimg_error err;
	int rc;

	memset(&err, 0, sizeof(err));
	text = guarded(text, len);
	rc = gapimg_lock_parse(text, len, "fuzz.lock", res, &err);
	if (rc == 0) {
		if (memchr(text, '\0', len) != NULL)
			abort();
		check_resolution(res);
	} else if (rc == -1) {
		if (err.code != GAPIMG_E_INVALID || err.msg[0] == '\0')
			abort();
		if (strncmp(err.msg, "fuzz.lock:", 10) != 0)
			abort();
	} else {
		abort();
	}
	return rc;
}

static void fuzz_lock(const char *text, size_t len)
{
	struct gapimg_resolution res, again;
	struct gapimg_error err;
	struct strbuf once = STRBUF_INIT, twice = STRBUF_INIT;

	memset(&err, 0, sizeof(err));
	memset(&again, 0, sizeof(again));
	if (lock_parse_checked(text, len, &res) == 0) {
		if (gapimg_lock_format(&res, &once, &err) != 0)
			abort();
		/* What gapimg writes, gapimg reads back, to the same bytes. */
		if (lock_parse_checked(once.buf, once.len, &again) != 0)
			abort();
		if (gapimg_lock_format(&again, &twice, &err) != 0)
			abort();
		if (once.len != twice.len || memcmp(once.buf, twice.buf, once.len) != 0)
			abort();
	}
	gapimg_resolution_free(&res);
	gapimg_resolution_free(&again);
	strbuf_release(&once);
	strbuf_release(&twice);
}

/* ---- the InRelease parser ---- */

static const char signed_head[] = "-----BEGIN PGP SIGNED MESSAGE-----";
static const char sig_head[] = "-----BEGIN PGP SIGNATURE-----";

static int clearsigned_checked(const char *text, size_t len, struct strbuf *content,
			       int verify)
{
	static char id[] = "fuzz";
	struct gapimg_plan_mirror pm;
	struct gapimg_mirror_info info;
	struct gapimg_resolution res;
	struct gapimg_error err;
	struct mirror_load ml;
	int rc;

	memset(&pm, 0, sizeof(pm));
	memset(&info, 0, sizeof(info));
	memset(&res, 0, sizeof(res));
	memset(&err, 0, sizeof(err));
	memset(&ml, 0, sizeof(ml));
	pm.id = id;
	pm.type = GAPIMG_MIRROR_DEB;
	info.id = id;
	info.type = GAPIMG_MIRROR_DEB;
	/* pool, plan, opts and repo stay NULL: verify=0 returns before the
	 * keys are loaded or the signature is looked at; with verify=1 and
	 * no keys (nkeys 0) the plan is not needed to find them, and opts
	 * only once a signature has been verified, which cannot happen. */
	ml.pm = &pm;
	ml.info = &info;
	ml.res = &res;
	ml.err = &err;

	text = guarded(text, len);
	rc = mirror_verify_clearsigned(&ml, "InRelease", text, len, content, verify);
	if (rc == 0 && verify) {
		/* signed, with no keys to check it against */
		abort();
	} else if (rc == 0) {
		const char *p;
		int sig = 0;

		if (len <= strlen(signed_head) ||
		    memcmp(text, signed_head, strlen(signed_head)) != 0 ||
		    (text[strlen(signed_head)] != '\n' && text[strlen(signed_head)] != '\r'))
			abort();
		for (p = text; p < text + len; p++) {
			p = memchr(p, '\n', (size_t)(text + len - p));
			if (p == NULL)
				break;
			if ((size_t)(text + len - (p + 1)) >= strlen(sig_head) &&
			    memcmp(p + 1, sig_head, strlen(sig_head)) == 0) {
				sig = 1;
				break;
			}
		}
		if (!sig)
			abort();
		if (content->len > len || content->buf[content->len] != '\0')
			abort();
		if (content->len && content->buf[content->len - 1] != '\n')
			abort();
		for (p = content->buf; (p = memchr(p, '\n', content->len - (size_t)(p - content->buf)));
		     p++)
			if (p > content->buf && (p[-1] == ' ' || p[-1] == '\t'))
				abort();
	} else if (rc == -1) {
		if (err.code != GAPIMG_E_CORRUPT || err.msg[0] == '\0')
			abort();
		if (strncmp(err.msg, "mirror fuzz: ", 13) != 0 || !strstr(err.msg, "InRelease"))
			abort();
	} else {
		abort();
	}
	/* Neither is set without a verified signature; released anyway. */
	free(info.signed_by);
	gapimg_resolution_free(&res);
	return rc;
}

/* content, dash-escaped with CR LF line ends, into a clearsigned message
 * with an empty signature block. */
static void clearsign(const struct strbuf *content, struct strbuf *out)
{
	const char *p = content->buf, *end = content->buf + content->len;

	strbuf_addstr(out, signed_head);
	strbuf_addstr(out, "\r\nHash: SHA256\r\n\r\n");
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (nl == NULL)   /* content ends with a newline */
			abort();
		if (*p == '-')
			strbuf_addstr(out, "- ");
		strbuf_add(out, p, (size_t)(nl - p));
		strbuf_addstr(out, "\r\n");
		p = nl + 1;
	}
	strbuf_addstr(out, sig_head);
	strbuf_addstr(out, "\r\n\r\n-----END PGP SIGNATURE-----\r\n");
}

static void fuzz_inrelease(const char *text, size_t len)
{
	struct strbuf content = STRBUF_INIT, again = STRBUF_INIT, msg = STRBUF_INIT;

	if (clearsigned_checked(text, len, &content, 0) == 0) {
		clearsign(&content, &msg);
		if (clearsigned_checked(msg.buf, msg.len, &again, 0) != 0)
			abort();
		if (again.len != content.len || memcmp(again.buf, content.buf, content.len) != 0)
			abort();
		/* The signature block too (armor, OpenPGP packets): it must be
		 * refused, as the mirror has no keys. */
		if (clearsigned_checked(text, len, &again, 1) != -1)
			abort();
	}
	strbuf_release(&content);
	strbuf_release(&again);
	strbuf_release(&msg);
}

static void fuzz_keys(const char *text, size_t len)
{
	const unsigned char *p = (const unsigned char *)text, *end = p + len;
	const unsigned char *key = NULL;
	size_t keylen = 0;
	Pool *pool = pool_create();
	Repo *repo = repo_create(pool, "keys");

	if (mirror_keys_add(repo, text, len) < 0)
		abort();
	pool_free(pool);
	/* the packet parsers on their own, binary input only */
	while (p < end && (p[0] & 0x80)) {
		size_t hl, bl;
		struct pgp_sig sig;
		struct pgp_chunk part = { text, len };
		const unsigned char *d;
		size_t n;
		uint32_t secs;

		if (p[0] & 0x40) {
			if (end - p < 2)
				break;
			if (p[1] < 192) {
				hl = 2;
				bl = p[1];
			} else if (p[1] < 224) {
				if (end - p < 3)
					break;
				hl = 3;
				bl = ((size_t)(p[1] - 192) << 8) + p[2] + 192;
			} else {
				break;
			}
		} else {
			if ((p[0] & 3) != 0 || end - p < 2)
				break;
			hl = 2;
			bl = p[1];
		}
		if (bl > (size_t)(end - p) - hl)
			break;
		if ((p[0] & 0x40 ? (p[0] & 0x3f) : (p[0] >> 2 & 15)) == 6 && key == NULL) {
			key = p + hl;
			keylen = bl;
		} else if (pgp_sig_parse(p + hl, bl, &sig) == 0) {
			(void)pgp_sig_key_expiry(&sig, &secs);
			(void)pgp_sig_subpacket(&sig, 27, &d, &n);
			if (key)
				(void)pgp_key_verify(key, keylen, p + hl, bl, &part, 1);
		}
		p += hl + bl;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] == 'K')
		fuzz_keys(guarded(data + 1, size - 1), size - 1);
	else if (data[0] % 2 == 0)
		fuzz_lock((const char *)data + 1, size - 1);
	else
		fuzz_inrelease((const char *)data + 1, size - 1);
	return 0;
}
