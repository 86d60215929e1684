/* Start-up for the generated model's harness on QEMU's Xtensa `sim` machine (lx106 core, tinygen emulate).
 *
 * picolibc's crt0 sets no stack pointer and never exits, so tg_reset (at the reset vector, see tg_xtensa.ld)
 * sets the stack and calls tg_start, which clears .bss and exits with main's status through simcall. Every
 * exception vector ends the run with status 0x80 | EXCCAUSE: QEMU would otherwise loop in the vector forever.
 */
#include <stdint.h>
#include <stdlib.h>

extern int main(int argc, char **argv);
extern uint32_t __bss_start[], __bss_end[];
void tg_start(void);

void tg_start(void)
{
    for (uint32_t *p = __bss_start; p < __bss_end; ++p) {
        *p = 0;
    }
    exit(main(0, NULL));
}

/* The reset vector is 256 MB from the code and data: l32r loads the addresses from the literals placed
 * before it (l32r addresses only backwards). */
__asm__(
    ".pushsection .tg_reset, \"ax\"\n"
    ".global tg_reset\n"
    "tg_reset:\n"
    "    j 1f\n"
    "    .align 4\n"
    "2:  .word __stack_top\n"
    "3:  .word tg_start\n"
    "1:  movi a2, 0x20\n" /* PS: user vector, interrupt level 0 (so `break`, i.e. __builtin_trap, is taken) */
    "    wsr.ps a2\n"
    "    rsync\n"
    "    l32r a1, 2b\n"
    "    l32r a0, 3b\n"
    "    callx0 a0\n"
    ".popsection\n"
    /* simcall exit(0x80 | EXCCAUSE); simcall's a2 = 1 is SYS_exit, a3 its status. */
    ".pushsection .tg_vector.exit, \"ax\"\n"
    "tg_exception_exit:\n"
    "    rsr.exccause a3\n"
    "    movi a2, 0x80\n"
    "    or a3, a3, a2\n"
    "    movi a2, 1\n"
    "    simcall\n"
    ".popsection\n"
    ".pushsection .tg_vector.debug, \"ax\"\n"
    "    j tg_exception_exit\n"
    ".popsection\n"
    ".pushsection .tg_vector.nmi, \"ax\"\n"
    "    j tg_exception_exit\n"
    ".popsection\n"
    ".pushsection .tg_vector.kernel, \"ax\"\n"
    "    j tg_exception_exit\n"
    ".popsection\n"
    ".pushsection .tg_vector.user, \"ax\"\n"
    "    j tg_exception_exit\n"
    ".popsection\n"
    ".pushsection .tg_vector.double, \"ax\"\n"
    "    j tg_exception_exit\n"
    ".popsection\n");
