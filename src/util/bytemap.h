/*
 * A hash map from fixed-size byte keys to fixed-size values (open
 * addressing, grows at half full).  Used for hard-link detection (device
 * and inode number -> first path) and tail deduplication (SHA-256 and
 * size -> fragment location).  Values are 8-byte aligned; iteration order
 * is the table's and must never decide anything that reaches an output.
 */
#ifndef GAPIMG_UTIL_BYTEMAP_H
#define GAPIMG_UTIL_BYTEMAP_H

#include <stddef.h>

struct bytemap {
	size_t key_size, val_size, slot_size;
	size_t cap, used;
	unsigned char *slots;   /* each: value, key, used flag */
};

void bytemap_init(struct bytemap *m, size_t key_size, size_t val_size);
void bytemap_free(struct bytemap *m);
/* The value stored for key, or NULL. */
void *bytemap_get(const struct bytemap *m, const void *key);
/* The value slot for key, zero-filled and *created = 1 if it is new; NULL
 * when memory runs out. */
void *bytemap_put(struct bytemap *m, const void *key, int *created);
/* The value in slot i (0 <= i < m->cap), or NULL if the slot is empty. */
void *bytemap_value_at(const struct bytemap *m, size_t i);

#endif
