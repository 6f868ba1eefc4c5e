// SPDX-License-Identifier: GPL-2.0
/*
 * shrinker_table.c - row lookup, naming and sorting for the shrinkers
 * file (see shrinkers.h).  Pure: KUnit drives it with made-up keys.
 */
#include <linux/atomic.h>
#include <linux/hash.h>
#include <linux/sort.h>
#include <linux/string.h>

#include <reclaimscope/shrinkers.h>

/*
 * The row of @key, claiming a free one the first time (*fresh is then
 * true and the caller names it).  Full table: RS_SHRINKER_OTHER.
 */
unsigned int rs_shrinker_row(struct rs_shrinker_table *t, const void *key,
			     bool *fresh)
{
	unsigned int start = hash_ptr((void *)key, 16) % RS_SHRINKER_ROWS;
	unsigned int i;

	*fresh = false;
	for (i = 0; i < RS_SHRINKER_ROWS; i++) {
		struct rs_shrinker_row *row =
			&t->rows[(start + i) % RS_SHRINKER_ROWS];
		const void *cur = READ_ONCE(row->key);

		if (cur == key)
			return row - t->rows;
		if (!cur) {
			cur = cmpxchg(&row->key, NULL, key);
			if (!cur) {
				*fresh = true;
				return row - t->rows;
			}
			if (cur == key)
				return row - t->rows;
		}
	}
	return RS_SHRINKER_OTHER;
}

/* Copy @name, one whitespace-free token, then publish it. */
void rs_shrinker_set_name(struct rs_shrinker_row *row, const char *name)
{
	char *c;

	strscpy(row->name, name, sizeof(row->name));
	for (c = row->name; *c; c++)
		if (*c == ' ' || *c == '\t' || *c == '\n')
			*c = '_';
	/* Pairs with smp_load_acquire() in the reader: name before flag. */
	smp_store_release(&row->named, 1);
}

static int rs_snap_cmp(const void *a, const void *b)
{
	const struct rs_shrinker_snap *x = a, *y = b;

	if (x->total_ns != y->total_ns)
		return x->total_ns < y->total_ns ? 1 : -1;
	if (x->calls != y->calls)
		return x->calls < y->calls ? 1 : -1;
	return strcmp(x->name, y->name);
}

/* Slowest first: by total_ns, then calls, then name. */
void rs_shrinker_sort(struct rs_shrinker_snap *snap, unsigned int nr)
{
	sort(snap, nr, sizeof(*snap), rs_snap_cmp, NULL);
}
