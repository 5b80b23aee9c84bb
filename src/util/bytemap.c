#include "util/bytemap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ALIGN8(n) (((n) + 7) & ~(size_t)7)

void bytemap_init(struct bytemap *m, size_t key_size, size_t val_size)
{
	memset(m, 0, sizeof(*m));
	m->key_size = key_size;
	m->val_size = ALIGN8(val_size);
	m->slot_size = ALIGN8(m->val_size + key_size + 1);
}

void bytemap_free(struct bytemap *m)
{
	free(m->slots);
	m->slots = NULL;
	m->cap = m->used = 0;
}

static unsigned char *slot(const struct bytemap *m, size_t i)
{
	return m->slots + i * m->slot_size;
}

static int slot_used(const struct bytemap *m, const unsigned char *s)
{
	return s[m->val_size + m->key_size] != 0;
}

/* FNV-1a, then a finaliser: keys here are hashes or small integers. */
static size_t hash(const struct bytemap *m, const void *key)
{
	const unsigned char *k = key;
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < m->key_size; i++)
		h = (h ^ k[i]) * 0x100000001b3ULL;
	h ^= h >> 31;
	return (size_t)h;
}

/* The slot holding key, or the empty slot where it would go. */
static unsigned char *find(const struct bytemap *m, const void *key)
{
	size_t i = hash(m, key) & (m->cap - 1);

	for (;;) {
		unsigned char *s = slot(m, i);

		if (!slot_used(m, s) || memcmp(s + m->val_size, key, m->key_size) == 0)
			return s;
		i = (i + 1) & (m->cap - 1);
	}
}

void *bytemap_get(const struct bytemap *m, const void *key)
{
	unsigned char *s;

	if (m->cap == 0)
		return NULL;
	s = find(m, key);
	return slot_used(m, s) ? s : NULL;
}

static int grow(struct bytemap *m)
{
	struct bytemap old = *m;
	size_t i;

	m->cap = old.cap ? old.cap * 2 : 64;
	m->slots = calloc(m->cap, m->slot_size);
	if (m->slots == NULL) {
		*m = old;
		return -1;
	}
	for (i = 0; i < old.cap; i++) {
		unsigned char *s = slot(&old, i);

		if (slot_used(&old, s))
			memcpy(find(m, s + old.val_size), s, m->slot_size);
	}
	free(old.slots);
	return 0;
}

void *bytemap_put(struct bytemap *m, const void *key, int *created)
{
	unsigned char *s;

	*created = 0;
	if ((m->used + 1) * 2 > m->cap && grow(m))
		return NULL;
	s = find(m, key);
	if (!slot_used(m, s)) {
		memset(s, 0, m->val_size);
		memcpy(s + m->val_size, key, m->key_size);
		s[m->val_size + m->key_size] = 1;
		m->used++;
		*created = 1;
	}
	return s;
}

void *bytemap_value_at(const struct bytemap *m, size_t i)
{
	unsigned char *s = slot(m, i);

	return slot_used(m, s) ? s : NULL;
}
