/* SPDX-License-Identifier: GPL-2.0 */
/*
 * table.h - a bounded table of rows keyed by a u64, claimed without locks.
 *
 * For things that come and go (tasks, cgroups) and must be counted each
 * on its own line.  The table is allocated at load with room for nr_rows
 * keys; a probe finds the row of its key, claiming a free one with
 * cmpxchg() the first time.  Once nr_rows keys hold rows, every new key
 * is counted in the "other" row, so that the rows and "other" always add
 * up to everything counted.
 *
 * The slots are twice the rows (a power of two), searched linearly from
 * the key's hash for at most RS_TABLE_PROBES slots: a key that finds
 * neither its row nor a free slot in that stretch also goes to "other".
 *
 * Cells are atomic64_t, one per (row, column), not per-CPU: a row is
 * touched once per stall (microseconds to seconds apart), and per-CPU
 * rows would cost rows * columns * 8 bytes for every CPU.
 *
 * A row also has a little description (struct rs_row_meta) that its
 * claimer fills in before publishing it with @ready; readers skip rows
 * that are not ready yet.
 *
 * Reset (rs_table_freeze(), wait for running probes, rs_table_clear())
 * is exact: while frozen, probes count nothing in the table; once every
 * probe that saw it unfrozen has returned, the rows are emptied.
 */
#ifndef _RECLAIMSCOPE_TABLE_H
#define _RECLAIMSCOPE_TABLE_H

#include <linux/atomic.h>
#include <linux/sched.h>
#include <linux/types.h>

/* What a row says about its key, besides its cells. */
struct rs_row_meta {
	int ready;			/* published: the rest is filled in */
	pid_t pid;			/* tasks: the task */
	char comm[TASK_COMM_LEN];	/* tasks: its name when first seen */
	u64 cgroup;			/* its cgroup v2 id (kernfs ino) */
};

struct rs_table {
	u64 *keys;			/* nr_slots; 0 = free */
	struct rs_row_meta *meta;	/* nr_slots */
	atomic64_t *cells;		/* (nr_slots + 1) * nr_cols */
	unsigned int nr_slots;		/* a power of two >= 2 * nr_rows */
	unsigned int nr_rows;		/* keys that may hold a row */
	unsigned int nr_cols;
	atomic_t used;			/* rows claimed */
	int frozen;			/* during reset: count nothing */
};

#define RS_TABLE_PROBES		32
/* rs_table_row(): count nothing (a reset is under way). */
#define RS_TABLE_NONE		UINT_MAX

int rs_table_init(struct rs_table *t, unsigned int nr_rows,
		  unsigned int nr_cols);
void rs_table_free(struct rs_table *t);
unsigned int rs_table_row(struct rs_table *t, u64 key, bool *fresh);
void rs_table_freeze(struct rs_table *t);
void rs_table_clear(struct rs_table *t);

/* A row as read, for sorting. */
struct rs_table_snap {
	unsigned int row;
	pid_t pid;
	u64 weight;
};

struct rs_table_snap *rs_table_snapshot(struct rs_table *t,
					const unsigned int *cols,
					unsigned int nr_cols, unsigned int *nr);

/* The "other" row's index. */
static inline unsigned int rs_table_other(const struct rs_table *t)
{
	return t->nr_slots;
}

static inline atomic64_t *rs_table_cell(struct rs_table *t, unsigned int row,
					unsigned int col)
{
	return &t->cells[(size_t)row * t->nr_cols + col];
}

static inline void rs_table_add(struct rs_table *t, unsigned int row,
				unsigned int col, u64 v)
{
	if (v)
		atomic64_add(v, rs_table_cell(t, row, col));
}

static inline void rs_table_max(struct rs_table *t, unsigned int row,
				unsigned int col, u64 v)
{
	atomic64_t *cell = rs_table_cell(t, row, col);
	s64 old = atomic64_read(cell);

	do {
		if ((u64)old >= v)
			return;
	} while (!atomic64_try_cmpxchg(cell, &old, v));
}

static inline u64 rs_table_get(struct rs_table *t, unsigned int row,
			       unsigned int col)
{
	return atomic64_read(rs_table_cell(t, row, col));
}

/* A claimed row's description, once ready; else NULL. */
static inline const struct rs_row_meta *
rs_table_meta(struct rs_table *t, unsigned int row)
{
	if (!READ_ONCE(t->keys[row]))
		return NULL;
	/* Pairs with smp_store_release() in rs_table_publish(). */
	if (!smp_load_acquire(&t->meta[row].ready))
		return NULL;
	return &t->meta[row];
}

/* The claimer (*fresh from rs_table_row()) has filled in the meta. */
static inline void rs_table_publish(struct rs_table *t, unsigned int row)
{
	/* The meta before the flag: pairs with rs_table_meta(). */
	smp_store_release(&t->meta[row].ready, 1);
}

#endif /* _RECLAIMSCOPE_TABLE_H */
