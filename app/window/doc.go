// Package window is mbotdraw's Ebiten game: the window that plays a drawing
// stroke by stroke, with big buttons, a timeline scrubber, a keyboard map, a
// HUD readable across a classroom, the robot's view, screenshots and GIFs.
//
// Each frame draws only the newly revealed segments into a persistent ink
// layer (canvas/gpu), then composites paper, ink, pen, robot and interface.
// Everything the user does arrives through an Input, so tests drive the real
// game loop with a script.
//
// Sizes: the game works in screen pixels (device pixels on HiDPI screens);
// the interface scales with the window, 1 design pixel = 1 screen pixel at
// 1280x800, and follows the window's height so that the smallest text is at
// least 2.2 % of it.
//
// The parts, one file (or two) each:
//
//   - Game (window.go): Update, Draw and Layout; it owns the open drawings
//     and hands each frame to the parts below.
//   - document (document.go): one open drawing, its clock and its ink layer.
//   - the HUD (hud.go, layout.go, font.go, shapes.go, sprite.go): bars,
//     buttons, banners (message.go) and the help card.
//   - the robot run and its panel (robotview.go, robotclock.go, robotpick.go):
//     a drawing sent to the robot, the robot's view and clock, and
//     robotPanel, the box that says what the robot does.
//   - the live link (live.go, padedit.go): the companion page (--listen).
//   - the overlay (perfview.go) and the performance system (stats.go).
//   - the pacer (idle.go): the window rests while nothing moves.
//   - quitting (quit.go), saving (save.go, gif.go, capture.go), opening
//     (picker.go), empty drawings and galleries (empty.go, gallery.go).
package window
