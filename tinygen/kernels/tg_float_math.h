/* Scalar float functions shared by float kernels, as TFLM's reference kernels compute them. */
#ifndef TG_FLOAT_MATH_H
#define TG_FLOAT_MATH_H

#include <math.h>

/* reference_ops::Logistic<float>: 1 above the cutoff where 1 / (1 + exp(-x)) rounds to 1, exp(x) below -9. */
static inline float tg_sigmoid_f32(float x)
{
    if (x > 16.619047164916992188f) {
        return 1.0f;
    }
    if (x < -9.0f) {
        return expf(x);
    }
    return 1.0f / (1.0f + expf(-x));
}

#endif
