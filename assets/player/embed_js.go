package player

import "embed"

// web is empty in the browser build: the program in the page does not carry
// a copy of itself (each build would otherwise hold the one before).
var web embed.FS
