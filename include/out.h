#ifndef WATCHFOR_OUT_H
#define WATCHFOR_OUT_H

#include <stddef.h>

/*
 * Action output on stdout. swatchdog autoflushes every write; watchfor
 * buffers within one batch of input and flushes before anything else can
 * observe the order: before a child is started, before a diagnostic on
 * stderr, before a sleep, and at the end of every batch (so in follow mode
 * an alert is visible within the same loop iteration that read its line).
 */

void	out_init(void);
void	out_write(const void *, size_t);
/* Writes everything buffered; errors (EPIPE) are remembered, not fatal. */
void	out_flush(void);

#endif
