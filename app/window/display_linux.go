package window

// Ebiten 2.8 opens the display in a package init (internal/ui), before
// main runs, and panics with a Go stack trace when there is none: any
// program that links this package would fail so, even for --help. This C
// constructor runs before any Go code: it tries the display, and when
// there is none (no DISPLAY, or an X server that does not answer), it runs
// the same command line in mbotdraw-headless, the program beside this one
// that has every command but the window, telling it why with
// MBOTDRAW_NO_DISPLAY (package app then calls itself mbotdraw and says
// that the window cannot open). Without that program it says so in one
// line and exits with status 1.

/*
#cgo LDFLAGS: -lX11
#include <X11/Xlib.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

__attribute__((constructor)) static void mbotdraw_need_display(int argc, char **argv) {
	if (getenv("MBOTDRAW_NO_DISPLAY") != NULL) {
		return; // set by the caller: it already knows
	}
	Display *d = XOpenDisplay(NULL);
	if (d != NULL) {
		XCloseDisplay(d);
		return;
	}
	const char *disp = getenv("DISPLAY");
	char why[300];
	if (disp == NULL || disp[0] == 0) {
		snprintf(why, sizeof why, "there is no display (DISPLAY is not set)");
	} else {
		snprintf(why, sizeof why, "the display %.200s does not answer", disp);
	}
	char path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", path, sizeof path - 32);
	if (n > 0 && argv != NULL) {
		path[n] = 0;
		char *slash = strrchr(path, '/');
		if (slash != NULL) {
			strcpy(slash + 1, "mbotdraw-headless");
			setenv("MBOTDRAW_NO_DISPLAY", why, 1);
			execv(path, argv);
		}
	}
	fprintf(stderr, "mbotdraw: %s, so the window cannot open; the commands without a window are in mbotdraw-headless, which is not beside this program\n", why);
	exit(1);
}
*/
import "C"
