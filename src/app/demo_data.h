/* demo_data.h: the fixed tables `fazhi demo` draws from (docs/demo.md):
 * the county's townships and units, name parts, laws and violations. All
 * names are invented; none is a real person or company. */
#ifndef FZ_DEMO_DATA_H
#define FZ_DEMO_DATA_H

#include <stdint.h>

#define DEMO_REGION "532599000000"
#define DEMO_COUNTY "X县"
#define DEMO_PASSWORD "Demo-Fazhi-2023"

typedef struct demo_town {
    const char *name;  /* 乡镇 name */
    const char *abbr;  /* pinyin initials for user names */
    int border;        /* 边境乡镇 */
    int villages;      /* 村（社区）count */
} demo_town;
extern const demo_town demo_towns[11];

/* A county department or enforcement team: parent is an index into this
 * table (-1: under the county government, unit 1). */
typedef struct demo_unit {
    const char *name, *type, *legal, *abbr;
    int parent;
    int enforce;       /* handles penalty cases */
    const char *field; /* 执法领域 (enforcement units) */
    int officers2022;  /* officers at the end of 2022 */
    int weight;        /* share of the year's cases */
} demo_unit;
extern const demo_unit demo_units[];
extern const int demo_nunits;

typedef struct demo_law {
    const char *title, *level, *promulgated, *effective;
    int articles;
} demo_law;
extern const demo_law demo_laws[];
extern const int demo_nlaws;

/* A violation the discretion catalog lists: code, text, the team field it
 * belongs to ("乡镇" for delegated township items), basis and the statutory
 * maximum fine in yuan. */
typedef struct demo_violation {
    const char *code, *field, *name, *basis, *penalty_basis, *facts;
    int64_t legal_max; /* yuan */
} demo_violation;
extern const demo_violation demo_violations[];
extern const int demo_nviolations;

extern const char *const demo_surnames[];
extern const int demo_nsurnames;
extern const char *const demo_given[];
extern const int demo_ngiven;
extern const char *const demo_village_heads[];
extern const int demo_nvillage_heads;
extern const char *const demo_firm_words[];
extern const int demo_nfirm_words;
extern const char *const demo_courses[];
extern const int demo_ncourses;

/* Township 权责清单 item names (the 86 基本目录 and 39 共性 items cycle
 * through them with a field qualifier). */
extern const char *const demo_power_objects[];
extern const int demo_npower_objects;

/* The 2022 (国办发明电〔2021〕11号) and 2023 (国办发明电〔2022〕16号) national
 * holiday arrangements as calendar files (docs/deadlines.md), so the
 * working-day deadlines of both years are exact. */
extern const char demo_holidays_2022[];
extern const char demo_holidays_2023[];

#endif
