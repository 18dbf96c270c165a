/* conv_gemm.c — float convolution as an implicit GEMM, per batch and group:
 *   Y[MG, P] = Wp[MG, KT] * im2col(X)[KT, P],  KT = CG*KD*KH*KW, P = OD*OH*OW
 * X[N, C, ID, IH, IW], weights packed at compile time (wp: per group, panels
 * of MR output channels, [KT][MR] each, zero rows past MG), B[M] -> Y[N, M, ...]
 * The im2col matrix is never built: a block of KC rows by NC columns is
 * packed into a buffer (panels of NR columns, [kc][NR] each) and
 * multiplied by the register tile TILE (the gemm_tile template), panel by
 * panel, every weight panel against it. 1x1, strided, dilated, padded and
 * 1-3 spatial dim convolutions all take this path. Three variants:
 *  - DIRECT (1x1 kernel, stride 1, no padding: im2col(X) is X): full
 *    panels are not packed but read in place by TILE_D, the tile with B
 *    rows P floats apart; a last partial panel is packed;
 *  - PACKS (stride > 1): the pack splits each input row by column phase
 *    once, so every tap's run of outputs is a contiguous copy;
 *  - TRANS (small planes; see KERNEL_trans): positions are
 *    the tile's rows and output channels its vectors (wp then holds panels
 *    of NR channels), transposed into Y by 16 x 16 blocks.
 * The last k block applies the bias and, with VEC_EPI, the activation and
 * residual in registers; otherwise EPI_EXPR (over v and r = res[same
 * index]) runs on the stored, still cached tile. The buffers live in
 * `scratch` (workspace, per part; see KERNEL_SCRATCH), not on the stack.
 * Work units (the range [lo, hi) of a call): image, group, then column
 * panel of NR positions (NC is a multiple of NR) and row tile of MR output
 * channels or, with TRANS, block of NCT positions and panel of NR output
 * channels; a part packs what its units read and makes the same tile calls,
 * k blocks in the same order, for its outputs as a whole call does. */
#ifdef NNC_LINT
#include <immintrin.h>
#define NNC_TARGET __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx2,fma")))
#define T float
#define N 1
#define C 4
#define M 8
#define G 1
#define CG 4
#define MG 8
#define ID 1
#define IH 9
#define IW 9
#define OD 1
#define OH 9
#define OW 9
#define KD 1
#define KH 3
#define KW 3
#define SD 1
#define SH 1
#define SW 1
#define DD 1
#define DH 1
#define DW 1
#define PD 0
#define PH 1
#define PW 1
#define HAS_BIAS 1
#define HAS_EPI 1
#define HAS_RES 1
#define VEC_EPI 0
#define EPI_EXPR (v + r < 0 ? 0 : v + r)
#define MR 8
#define NR 32
#define KC 128
#define NC 256
#define KT 36
#define MPAN 1
#define TILE conv_tile_lint
#define TILE_D conv_tile_lint
#define DIRECT 0
#define TRANS 0
#define NCT 16
#define MGR 32
#define IWQP 10
#define PACKS 1
#define KERNEL conv_gemm_lint
void conv_tile_lint(long mr, long nr, long kc, const float *a, long lai, long lak, const float *bp, float *c,
                    long ldc, int flags, const float *rbias, const float *cbias, const float *res, long ldr);
static NNC_TARGET void conv_gemm_lint(const T *restrict x, const T *restrict wp, const T *restrict b,
                                      const T *restrict res, T *restrict y, T *restrict scratch, long lo, long hi);
#endif
/* @begin */
static inline NNC_TARGET __mmask16 KERNEL_mask(long n) { return (__mmask16)(n >= 16 ? 0xffff : (1u << n) - 1); }

/* d[0, len) = 0 except d[t] = s[(t - lo) * SW] for t in [lo, hi). */
static inline NNC_TARGET void KERNEL_seg(T *d, const T *s, long len, long lo, long hi)
{
    const __m512i step = _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                            _mm512_set1_epi32(SW));
    long t;
    for (t = 0; t < lo; t += 16)
        _mm512_mask_storeu_ps(d + t, (__mmask16)(lo - t >= 16 ? 0xffff : (1u << (lo - t)) - 1), _mm512_setzero_ps());
    for (t = lo; t < hi; t += 16) {
        const __mmask16 m = (__mmask16)(hi - t >= 16 ? 0xffff : (1u << (hi - t)) - 1);
        const __m512 v = SW == 1 ? _mm512_maskz_loadu_ps(m, s + (t - lo))
                                 : _mm512_mask_i32gather_ps(_mm512_setzero_ps(), m, step, s + (t - lo) * SW, 4);
        _mm512_mask_storeu_ps(d + t, m, v);
    }
    for (t = hi; t < len; t += 16)
        _mm512_mask_storeu_ps(d + t, (__mmask16)(len - t >= 16 ? 0xffff : (1u << (len - t)) - 1), _mm512_setzero_ps());
}

/* Pack im2col rows [k0, k0+kc) x columns [p0, p0+nc) of one group's input:
 * each output row's run of columns splits at panel boundaries into
 * segments of zeros (padding) and copied (or, strided, gathered) inputs. */
static NNC_TARGET void KERNEL_pack(const T *xg, T *bp, long k0, long kc, long p0, long nc)
{
    const long ncr = (nc + NR - 1) / NR * NR;
    long kk, q, u;
    for (kk = 0; kk < kc; kk++) {
        long t = k0 + kk;
        const long kw = t % KW, kh = (t / KW) % KH, kd = (t / KW / KH) % KD, ci = t / KW / KH / KD;
        const T *xc = xg + ci * ((long)ID * IH * IW);
        T *drow = bp + kk * NR;
        long ow = p0 % OW, oh = (p0 / OW) % OH, od = p0 / OW / OH;
        for (q = 0; q < nc;) {
            const long run = OW - ow < nc - q ? OW - ow : nc - q;
            const long id = od * SD - PD + kd * DD, ih = oh * SH - PH + kh * DH;
            const int rowok = id >= 0 && id < ID && ih >= 0 && ih < IH;
            const T *xr = rowok ? xc + (id * IH + ih) * IW : xc;
            const long iw0 = ow * SW - PW + kw * DW;
            long ulo = iw0 >= 0 ? 0 : (-iw0 + SW - 1) / SW, uhi = IW - 1 - iw0 < 0 ? 0 : (IW - 1 - iw0) / SW + 1;
            if (!rowok) ulo = uhi = 0;
            if (uhi > run) uhi = run;
            if (ulo > uhi) ulo = uhi;
            for (u = 0; u < run;) {
                const long qq = q + u, off = qq % NR, len = run - u < NR - off ? run - u : NR - off;
                const long lo = ulo - u < 0 ? 0 : ulo - u > len ? len : ulo - u;
                const long hi = uhi - u < lo ? lo : uhi - u > len ? len : uhi - u;
                KERNEL_seg(drow + qq / NR * kc * NR + off, hi > lo ? xr + iw0 + (u + lo) * SW : xr, len, lo, hi);
                u += len;
            }
            q += run;
            ow = 0;
            if (++oh == OH) {
                oh = 0;
                od++;
            }
        }
        for (q = nc; q < ncr; q++) drow[q / NR * kc * NR + q % NR] = 0;
    }
}

/* Strided convs: ph[s][c] = padded input column c * SW + s of row xr (zero
 * in the padding, all zero without a row), c < IWQP. */
static inline NNC_TARGET void KERNEL_split(T *ph, const T *xr)
{
    long c, s;
    if (!xr) {
        for (c = 0; c < SW * IWQP; c += 16)
            _mm512_mask_storeu_ps(ph + c, KERNEL_mask(SW * IWQP - c), _mm512_setzero_ps());
    } else if (SW == 2) {
        const __m512i ev = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        const __m512i od = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
        for (c = 0; c < IWQP; c += 16) {
            /* padded columns 2c .. 2c + 31 are input columns col .. col + 31 */
            const long col = 2 * c - PW, lo = col < 0 ? -col : 0, hi = IW - col < 32 ? IW - col : 32;
            const unsigned long long bits = hi > lo ? ((1ull << hi) - 1) & ~((1ull << lo) - 1) : 0;
            const __m512 a = _mm512_maskz_loadu_ps((__mmask16)(bits & 0xffff), xr + col);
            const __m512 b = _mm512_maskz_loadu_ps((__mmask16)(bits >> 16), xr + col + 16);
            _mm512_mask_storeu_ps(ph + c, KERNEL_mask(IWQP - c), _mm512_permutex2var_ps(a, ev, b));
            _mm512_mask_storeu_ps(ph + IWQP + c, KERNEL_mask(IWQP - c), _mm512_permutex2var_ps(a, od, b));
        }
    } else {
        for (s = 0; s < SW; s++) {
            /* input column c * SW + s - PW in [0, IW) for c in [lo, hi) */
            long lo = PW > s ? (PW - s + SW - 1) / SW : 0, hi = (IW + PW - s + SW - 1) / SW;
            if (hi > IWQP) hi = IWQP;
            if (lo > hi) lo = hi;
            KERNEL_seg(ph + s * IWQP, hi > lo ? xr + lo * SW + s - PW : xr, IWQP, lo, hi);
        }
    }
}

/* Pack for SW > 1: the kw of one (ci, kd, kh) share an input row, split by
 * phase once per output row (KERNEL_split); tap kw of output ow is then
 * ph[(kw*DW) % SW][ow + kw*DW/SW], a contiguous run (no gathers). */
static NNC_TARGET void KERNEL_packs(const T *xg, T *bp, T *ph, long k0, long kc, long p0, long nc)
{
    const long ncr = (nc + NR - 1) / NR * NR;
    long kk = 0, q, u, kw;
    while (kk < kc) {
        const long t = k0 + kk, kw0 = t % KW, grp = t / KW, nkw = KW - kw0 < kc - kk ? KW - kw0 : kc - kk;
        const long kh = grp % KH, kd = (grp / KH) % KD, ci = grp / KH / KD;
        const T *xc = xg + ci * ((long)ID * IH * IW);
        long ow = p0 % OW, oh = (p0 / OW) % OH, od = p0 / OW / OH;
        for (q = 0; q < nc;) {
            const long run = OW - ow < nc - q ? OW - ow : nc - q;
            const long id = od * SD - PD + kd * DD, ih = oh * SH - PH + kh * DH;
            KERNEL_split(ph, id >= 0 && id < ID && ih >= 0 && ih < IH ? xc + (id * IH + ih) * IW : 0);
            for (kw = 0; kw < nkw; kw++) {
                const long tap = (kw0 + kw) * DW;
                const T *src = ph + tap % SW * IWQP + tap / SW + ow;
                T *drow = bp + (kk + kw) * NR;
                for (u = 0; u < run;) {
                    const long qq = q + u, off = qq % NR, len = run - u < NR - off ? run - u : NR - off;
                    const __mmask16 m0 = KERNEL_mask(len), m1 = KERNEL_mask(len - 16 > 0 ? len - 16 : 0);
                    T *d = drow + qq / NR * kc * NR + off;
                    _mm512_mask_storeu_ps(d, m0, _mm512_maskz_loadu_ps(m0, src + u));
                    _mm512_mask_storeu_ps(d + 16, m1, _mm512_maskz_loadu_ps(m1, src + u + 16));
                    u += len;
                }
            }
            q += run;
            ow = 0;
            if (++oh == OH) {
                oh = 0;
                od++;
            }
        }
        for (kw = 0; kw < nkw; kw++)
            for (q = nc; q < ncr; q++) bp[(kk + kw) * NR + q / NR * kc * NR + q % NR] = 0;
        kk += nkw;
    }
}

/* Pack im2col rows [k0, k0+kc) x columns [p0, p0+nc) into bp, by KERNEL_packs
 * (with the phase rows at ph) or KERNEL_pack. */
static inline NNC_TARGET void KERNEL_packb(const T *xg, T *bp, T *ph, long k0, long kc, long p0, long nc)
{
    if (PACKS)
        KERNEL_packs(xg, bp, ph, k0, kc, p0, nc);
    else
        KERNEL_pack(xg, bp, k0, kc, p0, nc);
}

/* dst[j * ldd + i] = src[i * lds + j] for a 16 x 16 block: 32-bit and
 * 64-bit interleaves, then two rounds of 128-bit lane shuffles. */
static inline NNC_TARGET void KERNEL_t16(const T *src, long lds, T *dst, long ldd)
{
    __m512 r[16], t[16], u[16];
    int k, j;
    for (k = 0; k < 16; k++) r[k] = _mm512_loadu_ps(src + k * lds);
    for (k = 0; k < 16; k += 2) {
        t[k] = _mm512_unpacklo_ps(r[k], r[k + 1]);
        t[k + 1] = _mm512_unpackhi_ps(r[k], r[k + 1]);
    }
    for (k = 0; k < 16; k += 4) /* u[k + j], lane L: column 4L + j of rows k .. k+3 */
        for (j = 0; j < 2; j++) {
            const __m512d lo = _mm512_castps_pd(t[k + j]), hi = _mm512_castps_pd(t[k + 2 + j]);
            u[k + 2 * j] = _mm512_castpd_ps(_mm512_unpacklo_pd(lo, hi));
            u[k + 2 * j + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(lo, hi));
        }
    for (j = 0; j < 4; j++) {
        const __m512 va = _mm512_shuffle_f32x4(u[j], u[4 + j], 0x88);
        const __m512 vb = _mm512_shuffle_f32x4(u[j], u[4 + j], 0xdd);
        const __m512 vc = _mm512_shuffle_f32x4(u[8 + j], u[12 + j], 0x88);
        const __m512 vd = _mm512_shuffle_f32x4(u[8 + j], u[12 + j], 0xdd);
        _mm512_storeu_ps(dst + j * ldd, _mm512_shuffle_f32x4(va, vc, 0x88));
        _mm512_storeu_ps(dst + (8 + j) * ldd, _mm512_shuffle_f32x4(va, vc, 0xdd));
        _mm512_storeu_ps(dst + (4 + j) * ldd, _mm512_shuffle_f32x4(vb, vd, 0x88));
        _mm512_storeu_ps(dst + (12 + j) * ldd, _mm512_shuffle_f32x4(vb, vd, 0xdd));
    }
}

/* The scratch buffers (floats; every size a multiple of 16): bp, the packed
 * im2col block; with TRANS ct, the output block, and rt, the transposed
 * residual block; with PACKS ph, one input row split by phase. */
#define KERNEL_BPN ((long)KC * NC)
#define KERNEL_CTN (TRANS ? (long)NCT * MGR : 0)
#define KERNEL_RTN (TRANS && HAS_RES && VEC_EPI ? (long)NCT * MGR : 0)
#define KERNEL_MPT ((MG + NR - 1) / NR)                       /* TRANS: channel panels */
#define KERNEL_NPB (((long)OD * OH * OW + NCT - 1) / NCT)       /* TRANS: position blocks */
#define KERNEL_MT ((MG + MR - 1) / MR)                         /* row tiles */
#define KERNEL_NP (((long)OD * OH * OW + NR - 1) / NR)          /* column panels */

/* TRANS: one group's Y^T[P, MG] = im2col(X)^T Wp^T, for small planes: the
 * positions are the tile's rows (MR of one packed panel), the output
 * channels its vector columns (weights packed in panels of NR channels),
 * the bias per column. A block of NCT positions accumulates in ct and is
 * transposed into Y; a residual block is first transposed into rt so the
 * tile adds it (and applies the activation) in registers. Units [u0, u1)
 * of the group: position block, then channel panel. */
static NNC_TARGET void KERNEL_trans(const T *xg, const T *wg, const T *bg, const T *rg, T *yg, T *scratch, long u0,
                                    long u1)
{
    T *const bp = scratch, *const ct = bp + KERNEL_BPN, *const rt = ct + KERNEL_CTN, *const ph = rt + KERNEL_RTN;
    const long np = (long)OD * OH * OW;
    long pb, k0, i0, m0, i, m;
    (void)bg;
    (void)rg;
    (void)rt;
    for (pb = u0 / KERNEL_MPT; pb * KERNEL_MPT < u1; pb++) {
        /* positions [p0, p0 + nc), the part's channels [ma, me) */
        const long p0 = pb * NCT, nc = np - p0 < NCT ? np - p0 : NCT;
        const long ma = u0 > pb * KERNEL_MPT ? (u0 - pb * KERNEL_MPT) * NR : 0;
        const long me = (u1 - pb * KERNEL_MPT) * NR < MG ? (u1 - pb * KERNEL_MPT) * NR : MG;
        if (HAS_RES && VEC_EPI) { /* the residual block, transposed like ct, for the tile's epilogue */
            const long mb = MG / 16 * 16, ib = nc / 16 * 16;
            for (m = ma; m < mb && m < me; m += 16)
                for (i = 0; i < ib; i += 16) KERNEL_t16(rg + m * np + p0 + i, np, rt + i * MGR + m, MGR);
            for (m = ma; m < me; m++)
                for (i = m < mb ? ib : 0; i < nc; i++) rt[i * MGR + m] = rg[m * np + p0 + i];
        }
        for (k0 = 0; k0 < KT; k0 += KC) {
            const long kc = KT - k0 < KC ? KT - k0 : KC;
            const int flags = (k0 > 0) | (k0 + kc == KT ? 2 : 0);
            KERNEL_packb(xg, bp, ph, k0, kc, p0, nc);
            /* a weight panel stays in L1 while the position rows pass */
            for (m0 = ma; m0 < me; m0 += NR)
                for (i0 = 0; i0 < nc; i0 += MR) {
                    const long mr = nc - i0 < MR ? nc - i0 : MR;
                    const T *at = bp + i0 / NR * kc * NR + i0 % NR;
                    TILE(mr, MG - m0 < NR ? MG - m0 : NR, kc, at, 1, NR, wg + (m0 / NR * (long)KT + k0) * NR,
                         ct + i0 * MGR + m0, MGR, flags, 0, HAS_BIAS ? bg + m0 : 0,
                         HAS_RES && VEC_EPI ? rt + i0 * MGR + m0 : 0, MGR);
                }
        }
        { /* 16 x 16 blocks by shuffles (when the tile did the epilogue), the rest one by one */
            const long mb = HAS_EPI && !VEC_EPI ? 0 : MG / 16 * 16, ib = HAS_EPI && !VEC_EPI ? 0 : nc / 16 * 16;
            for (m = ma; m < mb && m < me; m += 16)
                for (i = 0; i < ib; i += 16) KERNEL_t16(ct + i * MGR + m, MGR, yg + m * np + p0 + i, np);
            for (m = ma; m < me; m++)
                for (i = m < mb ? ib : 0; i < nc; i++) {
                    const T v = ct[i * MGR + m], r = HAS_RES ? rg[m * np + p0 + i] : (T)0;
                    (void)r;
                    yg[m * np + p0 + i] = HAS_EPI && !VEC_EPI ? EPI_EXPR : v;
                }
        }
    }
}

/* The plain (not TRANS) product of units [u0, u1) of one group: column
 * panel, then row tile. */
static NNC_TARGET void KERNEL_group(const T *xg, const T *wg, const T *bg, const T *rg, T *yg, T *scratch, long u0,
                                    long u1)
{
    T *const bp = scratch, *const ph = bp + KERNEL_BPN + KERNEL_CTN + KERNEL_RTN;
    const long np = (long)OD * OH * OW;
    long p0, k0, u, i, q;
    (void)bg;
    (void)rg;
    for (p0 = 0; p0 < np; p0 += NC) {
        /* the part's units in this block [v0, v1), and their columns [c0, c1) */
        const long nc = np - p0 < NC ? np - p0 : NC, e0 = p0 / NR * KERNEL_MT;
        const long e1 = (p0 + nc + NR - 1) / NR * KERNEL_MT, v0 = u0 > e0 ? u0 : e0, v1 = u1 < e1 ? u1 : e1;
        const long c0 = v1 > v0 ? v0 / KERNEL_MT * NR : 0, c1 = v1 > v0 ? (v1 - 1) / KERNEL_MT * NR + NR : 0;
        /* DIRECT: full panels read the input rows in place, a last partial
         * one is packed (at bp) */
        const long nfull = DIRECT ? nc / NR * NR : 0, ps = c0 > p0 + nfull ? c0 : p0 + nfull;
        const long pe = c1 < np ? c1 : np;
        if (v1 <= v0) continue;
        for (k0 = 0; k0 < KT; k0 += KC) {
            const long kc = KT - k0 < KC ? KT - k0 : KC;
            const int last = k0 + kc == KT, flags = (k0 > 0) | (last ? 2 : 0);
            if (pe > ps) KERNEL_packb(xg, bp, ph, k0, kc, ps, pe - ps);
            for (u = v0; u < v1; u++) {
                const long j = u / KERNEL_MT * NR - p0, m0 = u % KERNEL_MT * MR;
                const long nr = nc - j < NR ? nc - j : NR, mr = MG - m0 < MR ? MG - m0 : MR;
                const T *wt = wg + (m0 / MR * (long)KT + k0) * MR;
                const T *bt = HAS_BIAS ? bg + m0 : 0;
                const T *rt = VEC_EPI && HAS_RES ? rg + m0 * np + p0 + j : 0;
                T *yt = yg + m0 * np + p0 + j;
                if (DIRECT && m0 == 0 && j + 2 * NR <= nfull) /* the next panel's rows, ahead of the tile */
                    for (q = 0; q < kc; q++) {
                        _mm_prefetch((const char *)(xg + (k0 + q) * np + p0 + j + NR), _MM_HINT_T0);
                        _mm_prefetch((const char *)(xg + (k0 + q) * np + p0 + j + NR + 16), _MM_HINT_T0);
                    }
                if (j < nfull)
                    TILE_D(mr, nr, kc, wt, 1, MR, xg + k0 * np + p0 + j, yt, np, flags, bt, 0, rt, np);
                else
                    TILE(mr, nr, kc, wt, 1, MR, bp + (p0 + j - ps) * kc, yt, np, flags, bt, 0, rt, np);
                if (HAS_EPI && !VEC_EPI && last)
                    for (i = 0; i < mr; i++)
                        for (q = 0; q < nr; q++) {
                            const T v = yt[i * np + q];
                            const T r = HAS_RES ? rg[(m0 + i) * np + p0 + j + q] : (T)0;
                            (void)r;
                            yt[i * np + q] = EPI_EXPR;
                        }
            }
        }
    }
}

static NNC_TARGET void KERNEL(const T *restrict x, const T *restrict wp, const T *restrict b, const T *restrict res,
                              T *restrict y, T *restrict scratch, long lo, long hi)
{
    const long np = (long)OD * OH * OW, ng = TRANS ? KERNEL_NPB * KERNEL_MPT : KERNEL_NP * KERNEL_MT;
    long ig;
    for (ig = lo / ng; ig < (long)N * G && ig * ng < hi; ig++) {
        const long n = ig / G, g = ig % G, u0 = lo > ig * ng ? lo - ig * ng : 0;
        const long u1 = hi - ig * ng < ng ? hi - ig * ng : ng;
        const T *xg = x + (n * C + g * CG) * ((long)ID * IH * IW);
        const T *bg = HAS_BIAS ? b + g * MG : 0, *rg = HAS_RES ? res + (n * M + g * MG) * np : 0;
        T *yg = y + (n * M + g * MG) * np;
        if (TRANS)
            KERNEL_trans(xg, wp + g * MPAN * (long)KT * NR, bg, rg, yg, scratch, u0, u1);
        else
            KERNEL_group(xg, wp + g * MPAN * (long)KT * MR, bg, rg, yg, scratch, u0, u1);
    }
}
#undef KERNEL_BPN
#undef KERNEL_CTN
#undef KERNEL_RTN
#undef KERNEL_MPT
#undef KERNEL_NPB
#undef KERNEL_MT
#undef KERNEL_NP
/* @end */
