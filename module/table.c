// SPDX-License-Identifier: GPL-2.0
/*
 * table.c - bounded tables of keyed rows (see table.h).  Pure: KUnit
 * drives it with made-up keys.
 */
#include <linux/atomic.h>
#include <linux/hash.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>

#include <reclaimscope/table.h>

int rs_table_init(struct rs_table *t, unsigned int nr_rows,
		  unsigned int nr_cols)
{
	memset(t, 0, sizeof(*t));
	if (!nr_rows || nr_rows > (1U << 20) || !nr_cols)
		return -EINVAL;
	t->nr_rows = nr_rows;
	t->nr_cols = nr_cols;
	t->nr_slots = roundup_pow_of_two(2 * nr_rows);
	t->keys = kvcalloc(t->nr_slots, sizeof(*t->keys), GFP_KERNEL);
	t->meta = kvcalloc(t->nr_slots, sizeof(*t->meta), GFP_KERNEL);
	t->cells = kvcalloc((size_t)(t->nr_slots + 1) * nr_cols,
			    sizeof(*t->cells), GFP_KERNEL);
	if (!t->keys || !t->meta || !t->cells) {
		rs_table_free(t);
		return -ENOMEM;
	}
	return 0;
}

void rs_table_free(struct rs_table *t)
{
	kvfree(t->keys);
	kvfree(t->meta);
	kvfree(t->cells);
	t->keys = NULL;
	t->meta = NULL;
	t->cells = NULL;
}

/*
 * The row of @key (never 0), claiming a free slot the first time
 * (*fresh is then true: the caller fills in the meta and publishes it).
 * rs_table_other() once the table is full, RS_TABLE_NONE while frozen.
 * Called from probes: no lock, no allocation, at most RS_TABLE_PROBES
 * slots looked at.
 */
unsigned int rs_table_row(struct rs_table *t, u64 key, bool *fresh)
{
	unsigned int mask = t->nr_slots - 1;
	unsigned int start, i;

	*fresh = false;
	/* Pairs with smp_store_release() in rs_table_clear(). */
	if (smp_load_acquire(&t->frozen))
		return RS_TABLE_NONE;
	start = hash_64(key, ilog2(t->nr_slots));
	for (i = 0; i < RS_TABLE_PROBES && i < t->nr_slots; i++) {
		unsigned int s = (start + i) & mask;
		u64 cur = READ_ONCE(t->keys[s]);

		if (cur == key)
			return s;
		if (cur)
			continue;
		/* A free slot: reserve a row, then try to take the slot. */
		if (atomic_fetch_add_unless(&t->used, 1, t->nr_rows) ==
		    t->nr_rows)
			break;
		cur = cmpxchg(&t->keys[s], 0, key);
		if (!cur) {
			*fresh = true;
			return s;
		}
		/* Taken under us: give the row back and go on. */
		atomic_dec(&t->used);
		if (cur == key)
			return s;
	}
	return rs_table_other(t);
}

/* Probes count nothing in @t from now on (until rs_table_clear()). */
void rs_table_freeze(struct rs_table *t)
{
	WRITE_ONCE(t->frozen, 1);
}

/*
 * Empty @t and let probes count again.  The caller froze it and waited
 * for every probe that could have seen it unfrozen (a tracepoint or
 * kprobe handler that read frozen == 0 has returned): nothing writes to
 * it now, so plain stores are enough.
 */
void rs_table_clear(struct rs_table *t)
{
	memset(t->keys, 0, t->nr_slots * sizeof(*t->keys));
	memset(t->meta, 0, t->nr_slots * sizeof(*t->meta));
	memset(t->cells, 0,
	       (size_t)(t->nr_slots + 1) * t->nr_cols * sizeof(*t->cells));
	atomic_set(&t->used, 0);
	/* The emptied table before the flag. */
	smp_store_release(&t->frozen, 0);
}

static int rs_table_snap_cmp(const void *a, const void *b)
{
	const struct rs_table_snap *x = a, *y = b;

	if (x->weight != y->weight)
		return x->weight < y->weight ? 1 : -1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->row < y->row ? -1 : x->row > y->row;
}

/*
 * The published rows of @t, heaviest first: by the sum of the @nr_cols
 * columns @cols, then by pid, then by row.  Process context; kvfree()
 * the result.  NULL when out of memory.
 */
struct rs_table_snap *rs_table_snapshot(struct rs_table *t,
					const unsigned int *cols,
					unsigned int nr_cols, unsigned int *nr)
{
	struct rs_table_snap *snap;
	unsigned int row, i, n = 0;

	*nr = 0;
	snap = kvmalloc_array(t->nr_slots, sizeof(*snap), GFP_KERNEL);
	if (!snap)
		return NULL;
	for (row = 0; row < t->nr_slots; row++) {
		const struct rs_row_meta *meta = rs_table_meta(t, row);

		if (!meta)
			continue;
		snap[n].row = row;
		snap[n].pid = meta->pid;
		snap[n].weight = 0;
		for (i = 0; i < nr_cols; i++)
			snap[n].weight += rs_table_get(t, row, cols[i]);
		n++;
	}
	sort(snap, n, sizeof(*snap), rs_table_snap_cmp, NULL);
	*nr = n;
	return snap;
}
