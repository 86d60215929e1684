/* The POSIX calls picolibc's stdio needs, through the Xtensa `sim` machine's semihosting (simcall), and its
 * standard streams. Debian's picolibc for lx106 ships no semihosting library.
 *
 * simcall: a2 = call number, a3..a5 = arguments; returns a2, and errno in a3 when a2 is -1. File flags and
 * errno values are passed through unchanged: picolibc's O_* flags are Linux's, which QEMU hands to open().
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

enum { SYS_EXIT = 1, SYS_READ = 3, SYS_WRITE = 4, SYS_OPEN = 5, SYS_CLOSE = 6, SYS_LSEEK = 19 };

static int32_t simcall(int32_t call, int32_t a, int32_t b, int32_t c)
{
    register int32_t a2 __asm__("a2") = call;
    register int32_t a3 __asm__("a3") = a;
    register int32_t a4 __asm__("a4") = b;
    register int32_t a5 __asm__("a5") = c;
    __asm__ volatile("simcall" : "+r"(a2), "+r"(a3) : "r"(a4), "r"(a5) : "memory");
    if (a2 == -1) {
        errno = a3;
    }
    return a2;
}

void _exit(int status)
{
    for (;;) {
        simcall(SYS_EXIT, status, 0, 0);
    }
}

ssize_t read(int fd, void *buf, size_t count)
{
    return simcall(SYS_READ, fd, (int32_t)(uintptr_t)buf, (int32_t)count);
}

ssize_t write(int fd, const void *buf, size_t count)
{
    return simcall(SYS_WRITE, fd, (int32_t)(uintptr_t)buf, (int32_t)count);
}

int open(const char *path, int flags, ...)
{
    return simcall(SYS_OPEN, (int32_t)(uintptr_t)path, flags, 0644); /* mode: only used on O_CREAT */
}

int close(int fd)
{
    return simcall(SYS_CLOSE, fd, 0, 0);
}

off_t lseek(int fd, off_t offset, int whence)
{
    return simcall(SYS_LSEEK, fd, (int32_t)offset, whence);
}

/* Standard streams, unbuffered, on the host's stdin/stdout/stderr. */
static int put_stdout(char c, FILE *f)
{
    (void)f;
    return write(1, &c, 1) == 1 ? (unsigned char)c : EOF;
}

static int put_stderr(char c, FILE *f)
{
    (void)f;
    return write(2, &c, 1) == 1 ? (unsigned char)c : EOF;
}

static int get_stdin(FILE *f)
{
    unsigned char c;
    (void)f;
    return read(0, &c, 1) == 1 ? c : EOF;
}

static FILE tg_stdin = FDEV_SETUP_STREAM(NULL, get_stdin, NULL, _FDEV_SETUP_READ);
static FILE tg_stdout = FDEV_SETUP_STREAM(put_stdout, NULL, NULL, _FDEV_SETUP_WRITE);
static FILE tg_stderr = FDEV_SETUP_STREAM(put_stderr, NULL, NULL, _FDEV_SETUP_WRITE);
FILE *const stdin = &tg_stdin;
FILE *const stdout = &tg_stdout;
FILE *const stderr = &tg_stderr;
