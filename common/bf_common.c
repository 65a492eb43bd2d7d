/*
** bf_common.c: names of the shared enums, for messages and reports. No state.
*/
#include "bf_common.h"

const char *bf_rc_name(int rc)
{
    static const char *const n[] = {"ok",        "out of host memory", "bad configuration",
                                    "bad input", "I/O error",          "end of stream",
                                    "bad state", "database error"};
    return rc >= 0 && rc < (int)BF_ARRAY_SIZE(n) ? n[rc] : "unknown error";
}

const char *bf_fault_name(int fault)
{
    static const char *const n[] = {"none",
                                    "CPLB miss",
                                    "CPLB protection violation",
                                    "CPLB multiple hits",
                                    "misaligned access",
                                    "external memory addressing error",
                                    "illegal L1 access",
                                    "illegal MMR access"};
    return fault >= 0 && fault < (int)BF_ARRAY_SIZE(n) ? n[fault] : "unknown fault";
}

const char *bf_acc_kind_name(int kind)
{
    static const char *const n[] = {"read", "write", "fetch"};
    return kind >= 0 && kind < (int)BF_ARRAY_SIZE(n) ? n[kind] : "unknown";
}
