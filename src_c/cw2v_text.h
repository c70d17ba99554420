/* cw2v_text.h -- tokenizing UTF-8 text and a string hash table, for corpus_file mode.
 *
 * Tokenizing follows Python's `line.split()` on text read with universal newlines, so that a file read
 * here gives exactly the sentences cw2v.LineSentence gives:
 *   - lines end at '\n' or '\r' (a "\r\n" pair yields an empty line, which is skipped);
 *   - tokens are separated by the characters str.split() treats as white space: ASCII \t \n \v \f \r,
 *     space, \x1c-\x1f, and the Unicode spaces U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029,
 *     U+202F, U+205F and U+3000 (recognised in their UTF-8 encodings);
 *   - a line with more than `max_sentence_length` tokens is split into consecutive sentences.
 *
 * The string table maps byte strings to an int64 value (a count while building the vocabulary, a word
 * index while training) with open addressing; entries keep their insertion order. No Python.h.
 */
#ifndef CW2V_TEXT_H
#define CW2V_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Length in bytes of the white-space character starting at p (0 if p does not start one). */
static inline int cw2v_space_len(const unsigned char *p, size_t avail)
{
    unsigned char c = p[0];
    if (c < 0x80) {
        /* bits of the ASCII white space: \t \n \v \f \r (9-13), 0x1c-0x1f and ' ' (32) */
        return c <= 32 && ((UINT64_C(0x1F0003E00) >> c) & 1) ? 1 : 0;
    }
    if (c == 0xC2 && avail >= 2) {
        return (p[1] == 0x85 || p[1] == 0xA0) ? 2 : 0;
    }
    if (avail >= 3) {
        if (c == 0xE1) return (p[1] == 0x9A && p[2] == 0x80) ? 3 : 0;
        if (c == 0xE2) {
            if (p[1] == 0x80 && ((p[2] >= 0x80 && p[2] <= 0x8A) || p[2] == 0xA8 || p[2] == 0xA9 || p[2] == 0xAF))
                return 3;
            if (p[1] == 0x81 && p[2] == 0x9F) return 3;
            return 0;
        }
        if (c == 0xE3) return (p[1] == 0x80 && p[2] == 0x80) ? 3 : 0;
    }
    return 0;
}

/* Hash of a byte string, 8 bytes at a time (multiply-xorshift mixing; words are short). */
static inline uint64_t cw2v_hash_bytes(const char *s, size_t n)
{
    uint64_t h = UINT64_C(0x9E3779B97F4A7C15) ^ ((uint64_t)n * UINT64_C(0xff51afd7ed558ccd)), chunk;
    while (n >= 8) {
        memcpy(&chunk, s, 8);
        h = (h ^ chunk) * UINT64_C(0xBF58476D1CE4E5B9);
        h ^= h >> 31;
        s += 8;
        n -= 8;
    }
    if (n) {
        chunk = 0;
        memcpy(&chunk, s, n);
        h = (h ^ chunk) * UINT64_C(0x94D049BB133111EB);
        h ^= h >> 29;
    }
    h *= UINT64_C(0xBF58476D1CE4E5B9);
    return h ^ (h >> 32);
}

typedef struct {
    int64_t offset;     /* into arena */
    int32_t len;
    int64_t value;
    int64_t aux;        /* caller's use (word counting: position of the first occurrence) */
    uint64_t hash;
} cw2v_entry;

typedef struct {
    char *arena;
    int64_t arena_used, arena_cap;
    cw2v_entry *entries;
    int64_t n_entries, entries_cap;
    int64_t *slots;      /* entry index or -1 */
    int64_t n_slots;     /* power of two */
} cw2v_strtab;

static inline int cw2v_strtab_init(cw2v_strtab *t)
{
    memset(t, 0, sizeof(*t));
    t->arena_cap = 1 << 16;
    t->entries_cap = 1 << 10;
    t->n_slots = 1 << 11;
    t->arena = (char *)malloc(t->arena_cap);
    t->entries = (cw2v_entry *)malloc(t->entries_cap * sizeof(cw2v_entry));
    t->slots = (int64_t *)malloc(t->n_slots * sizeof(int64_t));
    if (!t->arena || !t->entries || !t->slots) return -1;
    memset(t->slots, 0xff, t->n_slots * sizeof(int64_t));
    return 0;
}

static inline void cw2v_strtab_free(cw2v_strtab *t)
{
    free(t->arena);
    free(t->entries);
    free(t->slots);
    memset(t, 0, sizeof(*t));
}

static inline int64_t cw2v_strtab_find_h(const cw2v_strtab *t, const char *s, size_t n, uint64_t h)
{
    int64_t mask = t->n_slots - 1, i = (int64_t)(h & (uint64_t)mask), e;
    for (;;) {
        e = t->slots[i];
        if (e < 0) return -1;
        if (t->entries[e].hash == h && t->entries[e].len == (int32_t)n
                && memcmp(t->arena + t->entries[e].offset, s, n) == 0)
            return e;
        i = (i + 1) & mask;
    }
}

static inline int64_t cw2v_strtab_find(const cw2v_strtab *t, const char *s, size_t n)
{
    return cw2v_strtab_find_h(t, s, n, cw2v_hash_bytes(s, n));
}

static inline int cw2v_strtab_rehash(cw2v_strtab *t, int64_t n_slots)
{
    int64_t *slots = (int64_t *)malloc(n_slots * sizeof(int64_t)), e, i, mask = n_slots - 1;
    if (!slots) return -1;
    memset(slots, 0xff, n_slots * sizeof(int64_t));
    for (e = 0; e < t->n_entries; e++) {
        i = (int64_t)(t->entries[e].hash & (uint64_t)mask);
        while (slots[i] >= 0) i = (i + 1) & mask;
        slots[i] = e;
    }
    free(t->slots);
    t->slots = slots;
    t->n_slots = n_slots;
    return 0;
}

/* Index of the entry for s (whose cw2v_hash_bytes is h), inserting it with value 0 and aux -1 if absent;
 * -1 if memory ran out. */
static inline int64_t cw2v_strtab_intern_h(cw2v_strtab *t, const char *s, size_t n, uint64_t h)
{
    int64_t e = cw2v_strtab_find_h(t, s, n, h), i, mask;
    if (e >= 0) return e;
    if (n > INT32_MAX) return -1;
    if (t->arena_used + (int64_t)n > t->arena_cap) {
        int64_t cap = t->arena_cap * 2;
        char *a;
        while (cap < t->arena_used + (int64_t)n) cap *= 2;
        a = (char *)realloc(t->arena, cap);
        if (!a) return -1;
        t->arena = a;
        t->arena_cap = cap;
    }
    if (t->n_entries == t->entries_cap) {
        cw2v_entry *en = (cw2v_entry *)realloc(t->entries, 2 * t->entries_cap * sizeof(cw2v_entry));
        if (!en) return -1;
        t->entries = en;
        t->entries_cap *= 2;
    }
    if (2 * (t->n_entries + 1) > t->n_slots && cw2v_strtab_rehash(t, 2 * t->n_slots) != 0) return -1;
    memcpy(t->arena + t->arena_used, s, n);
    e = t->n_entries++;
    t->entries[e].offset = t->arena_used;
    t->entries[e].len = (int32_t)n;
    t->entries[e].value = 0;
    t->entries[e].aux = -1;
    t->entries[e].hash = h;
    t->arena_used += (int64_t)n;
    mask = t->n_slots - 1;
    i = (int64_t)(h & (uint64_t)mask);
    while (t->slots[i] >= 0) i = (i + 1) & mask;
    t->slots[i] = e;
    return e;
}

static inline int64_t cw2v_strtab_intern(cw2v_strtab *t, const char *s, size_t n)
{
    return cw2v_strtab_intern_h(t, s, n, cw2v_hash_bytes(s, n));
}

#if defined(__GNUC__) || defined(__clang__)
#define CW2V_PREFETCH(p) __builtin_prefetch((p), 0, 3)
#else
#define CW2V_PREFETCH(p) ((void)(p))
#endif

/* Hints for a look-up of hash h coming soon (see cw2v_token_stream): fetch its slot (a look-up about
 * CW2V_LOOKAHEAD ahead), or read the slot, now likely cached, and fetch the entry it holds (about half
 * as far ahead). */
static inline void cw2v_strtab_prefetch_slot(const cw2v_strtab *t, uint64_t h)
{
    CW2V_PREFETCH(&t->slots[h & (uint64_t)(t->n_slots - 1)]);
}

static inline void cw2v_strtab_prefetch_entry(const cw2v_strtab *t, uint64_t h)
{
    int64_t e = t->slots[h & (uint64_t)(t->n_slots - 1)];
    if (e >= 0) CW2V_PREFETCH(&t->entries[e]);
}

/* Delete entries whose value is below min_value, keeping the others' order (word2vec.c's ReduceVocab).
 * The arena is not compacted. Returns 0, or -1 if memory ran out. */
static inline int cw2v_strtab_prune(cw2v_strtab *t, int64_t min_value)
{
    int64_t e, kept = 0;
    for (e = 0; e < t->n_entries; e++)
        if (t->entries[e].value >= min_value) t->entries[kept++] = t->entries[e];
    t->n_entries = kept;
    return cw2v_strtab_rehash(t, t->n_slots);
}

/* Streaming tokenizer state over one buffer of complete lines. */
typedef struct {
    const unsigned char *buf;
    size_t len, pos;
    int64_t max_sentence_length;
    int64_t in_sentence;       /* tokens in the current sentence so far */
} cw2v_tokenizer;

/* Next token: returns 1 and sets *start and *n, with *new_sentence = 1 when the token begins a sentence;
 * returns 0 at the end of the buffer. */
static inline int cw2v_next_token(cw2v_tokenizer *tk, size_t *start, size_t *n, int *new_sentence)
{
    const unsigned char *b = tk->buf;
    size_t pos = tk->pos, end = tk->len;
    int sp;
    for (;;) {
        if (pos >= end) { tk->pos = pos; return 0; }
        if (b[pos] == '\n' || b[pos] == '\r') { tk->in_sentence = 0; pos++; continue; }
        sp = cw2v_space_len(b + pos, end - pos);
        if (sp) { pos += sp; continue; }
        break;
    }
    *start = pos;
    while (pos < end && !cw2v_space_len(b + pos, end - pos)) pos++;
    *n = pos - *start;
    tk->pos = pos;
    if (tk->in_sentence == 0 || tk->in_sentence >= tk->max_sentence_length) {
        *new_sentence = 1;
        tk->in_sentence = 0;
    } else {
        *new_sentence = 0;
    }
    tk->in_sentence++;
    return 1;
}

/* Tokens read ahead of their look-up (cw2v_stream_next). 16 measured best of 8/16/32 on an AMD EPYC. */
#define CW2V_LOOKAHEAD 16

typedef struct {
    size_t start, len;          /* the token's bytes in the tokenizer's buffer */
    uint64_t hash;              /* cw2v_hash_bytes of them */
    int new_sentence;
} cw2v_token;

/* Tokens of one buffer with their hashes, read CW2V_LOOKAHEAD ahead of the caller so that the table the
 * caller looks them up in is fetched from memory early: a token's slot is prefetched as it is read, and
 * the entry that slot points to once the token is halfway along the queue (its slot then in cache). A
 * table of 10**5 words is several MB (slots, entries), beyond L2, and the look-ups of text in order
 * stall on each in turn. Overlapping them, counting 45 MB of English in C took 0.22 s instead of 0.35 s
 * (tokenizing and hashing alone: 0.14 s); scan_vocab(corpus_file) takes 0.62-0.74x the time, encode_block
 * 0.67-0.78x (AMD EPYC, two runs; bench/results/text-speed.md).
 * Tokens come out in order; the prefetches are only hints, so the table may grow or change between
 * calls. */
typedef struct {
    cw2v_tokenizer tk;
    cw2v_token q[CW2V_LOOKAHEAD];
    unsigned head, count;
    int done;
} cw2v_token_stream;

static inline void cw2v_stream_init(cw2v_token_stream *s, const unsigned char *buf, size_t len,
                                    int64_t max_sentence_length)
{
    s->tk.buf = buf;
    s->tk.len = len;
    s->tk.pos = 0;
    s->tk.max_sentence_length = max_sentence_length;
    s->tk.in_sentence = 0;
    s->head = s->count = 0;
    s->done = 0;
}

/* The next token, or NULL at the end of the buffer; valid until the next call. `t` is the table the
 * caller will look the tokens up in (read only for prefetching). */
static inline const cw2v_token *cw2v_stream_next(cw2v_token_stream *s, const cw2v_strtab *t)
{
    const cw2v_token *x;
    while (!s->done && s->count < CW2V_LOOKAHEAD) {
        cw2v_token *y = &s->q[(s->head + s->count) % CW2V_LOOKAHEAD];
        if (!cw2v_next_token(&s->tk, &y->start, &y->len, &y->new_sentence)) {
            s->done = 1;
            break;
        }
        y->hash = cw2v_hash_bytes((const char *)s->tk.buf + y->start, y->len);
        cw2v_strtab_prefetch_slot(t, y->hash);
        s->count++;
        if (s->count > CW2V_LOOKAHEAD / 2)
            cw2v_strtab_prefetch_entry(t, s->q[(s->head + s->count - 1 - CW2V_LOOKAHEAD / 2) % CW2V_LOOKAHEAD].hash);
    }
    if (s->count == 0) return NULL;
    x = &s->q[s->head];
    s->head = (s->head + 1) % CW2V_LOOKAHEAD;
    s->count--;
    return x;
}

#endif /* CW2V_TEXT_H */
