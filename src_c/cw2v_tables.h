/* cw2v_tables.h -- sigmoid and log-sigmoid lookup tables (word2vec.c's expTable scheme).
 *
 * sigmoid(x) is read from a table of CW2V_EXP_TABLE_SIZE values over [-CW2V_MAX_EXP, CW2V_MAX_EXP),
 * entry i holding sigmoid((2 i / SIZE - 1) * MAX_EXP), indexed by truncation as in word2vec.c.
 * Beyond the table's edge the sigmoid is clipped to 0 or 1: this is word2vec.c's behaviour for
 * negative sampling (its hierarchical softmax instead skips such updates; cw2v clips in both objectives,
 * so a saturated wrong prediction still receives the full gradient).
 *
 * The loss term -log sigmoid(z) uses a log-sigmoid table inside the range and the exact expression
 * log1p(exp(-z)) outside it, accumulated in double precision by the caller.
 */
#ifndef CW2V_TABLES_H
#define CW2V_TABLES_H

#include <math.h>

#define CW2V_EXP_TABLE_SIZE 1000
#define CW2V_MAX_EXP 6

typedef struct {
    float sigmoid[CW2V_EXP_TABLE_SIZE];
    float neg_log_sigmoid[CW2V_EXP_TABLE_SIZE];
} cw2v_tables;

static inline void cw2v_tables_init(cw2v_tables *t)
{
    int i;
    for (i = 0; i < CW2V_EXP_TABLE_SIZE; i++) {
        double x = ((double)i / CW2V_EXP_TABLE_SIZE * 2.0 - 1.0) * CW2V_MAX_EXP;
        double e = exp(x);
        t->sigmoid[i] = (float)(e / (e + 1.0));
        t->neg_log_sigmoid[i] = (float)log1p(exp(-x));
    }
}

/* Table slot of x in (-MAX_EXP, MAX_EXP). word2vec.c scales by the integer EXP_TABLE_SIZE / MAX_EXP / 2
 * (83), which slightly mismatches the values it stores; the exact float scale is used here, with the
 * top slot clamped against rounding. */
static inline int cw2v_table_index(float x)
{
    int i = (int)((x + CW2V_MAX_EXP) * ((float)CW2V_EXP_TABLE_SIZE / (2.0f * CW2V_MAX_EXP)));
    return i < CW2V_EXP_TABLE_SIZE ? i : CW2V_EXP_TABLE_SIZE - 1;
}

/* sigmoid(x), clipped to exactly 0 or 1 outside (-MAX_EXP, MAX_EXP). A NaN (weights that overflowed) never
 * indexes the table: it gives 0.5, and the kernels report the divergence. */
static inline float cw2v_sigmoid(const cw2v_tables *t, float x)
{
    if (x >= CW2V_MAX_EXP) return 1.0f;
    if (x <= -CW2V_MAX_EXP) return 0.0f;
    if (x != x) return 0.5f;
    return t->sigmoid[cw2v_table_index(x)];
}

/* -log sigmoid(z) = log(1 + exp(-z)): table inside the range, exact outside (NaN stays NaN). */
static inline double cw2v_neg_log_sigmoid(const cw2v_tables *t, float z)
{
    if (z != z) return (double)z;
    if (z >= CW2V_MAX_EXP || z <= -CW2V_MAX_EXP) {
        double zd = (double)z;
        return zd > 0 ? log1p(exp(-zd)) : -zd + log1p(exp(zd));
    }
    return (double)t->neg_log_sigmoid[cw2v_table_index(z)];
}

#endif /* CW2V_TABLES_H */
