/* Start-up for the generated model's harness on QEMU's MPS2/MPS3 Cortex-M machines (tinygen emulate).
 *
 * No CMSIS-Core needed: the vector table starts with the initial stack pointer (written by tg_cortex_m.ld),
 * then these handlers. QEMU's ELF loader places .data in RAM itself, so only .bss is cleared. newlib's
 * rdimon gives stdio on host files and the exit status through semihosting.
 */
#include <stdint.h>
#include <stdlib.h>

extern int main(int argc, char **argv);
extern void initialise_monitor_handles(void);
extern uint32_t __bss_start__[], __bss_end__[];

/* Linked with -nostartfiles: newlib's exit() still calls these. */
void _init(void) {}
void _fini(void) {}

/* Any fault ends the run with a distinct status instead of hanging QEMU. */
static void tg_fault(void)
{
    exit(70);
}

void tg_reset(void)
{
#if defined(__ARM_FP) || defined(__ARM_FEATURE_MVE)
    *(volatile uint32_t *)0xE000ED88 |= 0xFu << 20; /* CPACR: enable CP10/CP11 (FPU, MVE) */
    __asm__ volatile("dsb\n\tisb" ::: "memory");
#endif
    for (uint32_t *p = __bss_start__; p < __bss_end__; ++p) {
        *p = 0;
    }
    initialise_monitor_handles();
    exit(main(0, NULL));
}

/* Reset, NMI, HardFault, MemManage, BusFault, UsageFault, SecureFault. */
__attribute__((section(".tg_vectors"), used)) static void (*const tg_vectors[7])(void) = {
    tg_reset, tg_fault, tg_fault, tg_fault, tg_fault, tg_fault, tg_fault,
};
