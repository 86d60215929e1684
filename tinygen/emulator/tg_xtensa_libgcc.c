/* Integer helpers gcc calls on the lx106 that Debian's libgcc for it leaves out (the ESP8266 keeps them in
 * ROM): 32-bit division, 64-bit multiplication and division. Linked only into tinygen's Xtensa emulation.
 *
 * Ordinary C, so a host build can check them against C's own operators; no `/`, `%` or 64-bit product may
 * appear here, or gcc would call the helper being defined. The lx106 has a 32-bit multiply (MUL32) but no
 * high half, so a 64-bit product is built from 16-bit halves. Signed results follow C (quotient truncated
 * towards zero, remainder with the dividend's sign); INT_MIN / -1 wraps to INT_MIN as the hardware divider
 * does. Division by zero traps, so it is a guest fault instead of a silent value.
 */
#include <stdint.h>

int32_t __divsi3(int32_t a, int32_t b);
int32_t __modsi3(int32_t a, int32_t b);
uint32_t __udivsi3(uint32_t a, uint32_t b);
uint32_t __umodsi3(uint32_t a, uint32_t b);
uint64_t __umulsidi3(uint32_t a, uint32_t b);
int64_t __muldi3(int64_t a, int64_t b);
int64_t __divdi3(int64_t a, int64_t b);
int64_t __moddi3(int64_t a, int64_t b);
uint64_t __udivdi3(uint64_t a, uint64_t b);
uint64_t __umoddi3(uint64_t a, uint64_t b);

/* Shift-and-subtract long division, one quotient bit a step. After step i the remainder is below both the
 * divisor and 2^i, so shifting it left never loses a bit. */
static uint32_t udivmod32(uint32_t n, uint32_t d, uint32_t *rem)
{
    uint32_t q = 0, r = 0;
    if (d == 0) {
        __builtin_trap();
    }
    for (int i = 0; i < 32; ++i) {
        r = (r << 1) | (n >> 31);
        n <<= 1;
        q <<= 1;
        if (r >= d) {
            r -= d;
            q |= 1;
        }
    }
    *rem = r;
    return q;
}

static uint64_t udivmod64(uint64_t n, uint64_t d, uint64_t *rem)
{
    uint64_t q = 0, r = 0;
    if (d == 0) {
        __builtin_trap();
    }
    if ((n >> 32) == 0 && (d >> 32) == 0) { /* the common case: 32 steps instead of 64 */
        uint32_t r32;
        q = udivmod32((uint32_t)n, (uint32_t)d, &r32);
        *rem = r32;
        return q;
    }
    for (int i = 0; i < 64; ++i) {
        r = (r << 1) | (n >> 63);
        n <<= 1;
        q <<= 1;
        if (r >= d) {
            r -= d;
            q |= 1;
        }
    }
    *rem = r;
    return q;
}

/* |x| as unsigned: correct for INT_MIN, whose magnitude only the unsigned type holds. */
static uint32_t magnitude32(int32_t x)
{
    return x < 0 ? 0u - (uint32_t)x : (uint32_t)x;
}

static uint64_t magnitude64(int64_t x)
{
    return x < 0 ? 0u - (uint64_t)x : (uint64_t)x;
}

/* Back to signed with the given sign; the conversion of values above INT_MAX wraps (gcc defines it so). */
static int32_t signed32(uint32_t x, int negative)
{
    return (int32_t)(negative ? 0u - x : x);
}

static int64_t signed64(uint64_t x, int negative)
{
    return (int64_t)(negative ? 0u - x : x);
}

uint32_t __udivsi3(uint32_t a, uint32_t b)
{
    uint32_t r;
    return udivmod32(a, b, &r);
}

uint32_t __umodsi3(uint32_t a, uint32_t b)
{
    uint32_t r;
    udivmod32(a, b, &r);
    return r;
}

int32_t __divsi3(int32_t a, int32_t b)
{
    uint32_t r;
    return signed32(udivmod32(magnitude32(a), magnitude32(b), &r), (a < 0) != (b < 0));
}

int32_t __modsi3(int32_t a, int32_t b)
{
    uint32_t r;
    udivmod32(magnitude32(a), magnitude32(b), &r);
    return signed32(r, a < 0);
}

uint64_t __udivdi3(uint64_t a, uint64_t b)
{
    uint64_t r;
    return udivmod64(a, b, &r);
}

uint64_t __umoddi3(uint64_t a, uint64_t b)
{
    uint64_t r;
    udivmod64(a, b, &r);
    return r;
}

int64_t __divdi3(int64_t a, int64_t b)
{
    uint64_t r;
    return signed64(udivmod64(magnitude64(a), magnitude64(b), &r), (a < 0) != (b < 0));
}

int64_t __moddi3(int64_t a, int64_t b)
{
    uint64_t r;
    udivmod64(magnitude64(a), magnitude64(b), &r);
    return signed64(r, a < 0);
}

/* 32 x 32 -> 64 from four 16 x 16 -> 32 products (each fits MUL32's 32 bits). */
uint64_t __umulsidi3(uint32_t a, uint32_t b)
{
    const uint32_t a_lo = a & 0xFFFFu, a_hi = a >> 16, b_lo = b & 0xFFFFu, b_hi = b >> 16;
    const uint32_t lo = a_lo * b_lo, hi = a_hi * b_hi;
    const uint32_t mid1 = a_hi * b_lo, mid2 = a_lo * b_hi;
    const uint32_t mid = mid1 + mid2;
    const uint32_t mid_carry = mid < mid1; /* the middle sum's 33rd bit, worth 2^48 */
    const uint32_t low = lo + (mid << 16);
    const uint32_t high = hi + (mid >> 16) + (mid_carry << 16) + (low < lo);
    return ((uint64_t)high << 32) | low;
}

/* The low 64 bits of the product are the same for signed and unsigned operands. */
int64_t __muldi3(int64_t a, int64_t b)
{
    const uint64_t ua = (uint64_t)a, ub = (uint64_t)b;
    const uint32_t a_lo = (uint32_t)ua, a_hi = (uint32_t)(ua >> 32);
    const uint32_t b_lo = (uint32_t)ub, b_hi = (uint32_t)(ub >> 32);
    const uint64_t product = __umulsidi3(a_lo, b_lo) + ((uint64_t)(a_hi * b_lo + a_lo * b_hi) << 32);
    return (int64_t)product;
}
