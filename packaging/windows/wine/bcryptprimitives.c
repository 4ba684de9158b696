/* For the wine check only (scripts/windows.sh --check), never shipped: Rust's standard library
 * draws random bytes from ProcessPrng in bcryptprimitives.dll, which every supported Windows has
 * (10 and later) but Debian 12's wine 8.0 lacks. This stand-in answers from BCryptGenRandom. */
#include <windows.h>
#include <bcrypt.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0) {
            return FALSE;
        }
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
