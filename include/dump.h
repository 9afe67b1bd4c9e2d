#ifndef WATCHFOR_DUMP_H
#define WATCHFOR_DUMP_H

#include <stdio.h>

/*
 * --dump-script: swatchdog writes the Perl program it generated; watchfor
 * generates none, so it writes how it read the config instead, between
 * swatchdog's BEGIN and END lines: every rule with its location and every
 * action value split into its default argument, modes and options, which
 * shows what swatchdog's comma and `word=` rules did to a value.
 */

struct config;

void	dump_config(const struct config *, FILE *);

#endif
