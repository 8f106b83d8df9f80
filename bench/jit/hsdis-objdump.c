/*
 * A disassembler plug-in for HotSpot's -XX:+PrintAssembly that hands each block of machine code to GNU
 * objdump (binutils), which reads every AVX-512 encoding C2 emits. Built by bench/jit.sh; a development
 * tool, not part of the engine. HotSpot looks the library up as hsdis-amd64.so on LD_LIBRARY_PATH and
 * calls decode_instructions_virtual once per block; the returned address tells it how far we got.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

typedef void *(*event_fn)(void *, const char *, void *);
typedef int (*printf_fn)(void *, const char *, ...);

void *decode_instructions_virtual(uintptr_t start_va, uintptr_t end_va, unsigned char *buffer, uintptr_t length,
                                  event_fn event_callback, void *event_stream,
                                  printf_fn printf_callback, void *printf_stream,
                                  const char *options, int newline) {
    (void) event_callback, (void) event_stream, (void) options, (void) newline;
    char path[128], command[512], line[1024];
    snprintf(path, sizeof path, "/tmp/neurosteer-hsdis-%d.bin", (int) getpid());
    FILE *code = fopen(path, "wb");
    if (!code || fwrite(buffer, 1, length, code) != length) {
        printf_callback(printf_stream, "hsdis-objdump: cannot write %s\n", path);
        if (code) fclose(code);
        return (void *) end_va;
    }
    fclose(code);
    snprintf(command, sizeof command,
             "objdump -D -b binary -mi386:x86-64 -Mintel --no-show-raw-insn --adjust-vma=0x%lx %s | tail -n +8",
             (unsigned long) start_va, path);
    FILE *listing = popen(command, "r");
    if (!listing) {
        printf_callback(printf_stream, "hsdis-objdump: cannot run objdump\n");
        return (void *) end_va;
    }
    while (fgets(line, sizeof line, listing)) {
        line[strcspn(line, "\n")] = 0;
        printf_callback(printf_stream, "%s\n", line);
    }
    pclose(listing);
    unlink(path);
    return (void *) end_va;
}
