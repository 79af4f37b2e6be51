/* checks.c: the registry of named checks (see checks.h). Only what the law
 * needs computed belongs here; counts and limits of a step are data in the
 * definition ("times", "within"). */
#include "engine/checks.h"

#include <string.h>

static const check_def CHECKS[] = {
    {"two_certified_officers", "两名以上持证执法人员（行政处罚法第四十二条）", NULL},
    {"hearing_rights", "告知听证权利（行政处罚法第六十三条）", NULL},
    {"legal_review_approved", "法制审核通过（行政处罚法第五十八条）", NULL},
    {"discretion_range", "在裁量基准范围内", NULL},
    {0},
};

const check_def *check_find(const char *name)
{
    for (const check_def *c = CHECKS; name && c->name; c++)
        if (!strcmp(c->name, name))
            return c;
    return NULL;
}
