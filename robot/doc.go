// Package robot turns a drawing into something a Makeblock mBot drawing robot
// can draw on paper, and drives the robot through it.
//
// The pipeline is NewPlan → Compile → Driver:
//
//   - NewPlan fits the drawing to the paper (millimetres, keeping its aspect),
//     simplifies every stroke (Ramer–Douglas–Peucker), orders the strokes to
//     cut pen-up travel (greedy nearest end with a k-d tree, reversing strokes
//     where that is shorter and entering closed strokes at their nearest
//     vertex; optionally 2-opt and Or-opt moves found through each end's
//     nearest neighbours, with closed strokes re-entered at the vertex that
//     suits their neighbours in the order; file order kept when it is
//     already better) and merges strokes whose ends touch, so the pen stays
//     down between them. The plan maps every path back to the drawing's
//     strokes (Plan.PathOf, Plan.PathStrokes).
//   - Compile turns the plan into Motions, turtle style (pen up or down, turn
//     in place, drive straight), timed by a Calibration: the classic mBot has
//     no wheel encoders, so every move is open loop, by time. Each Motion
//     becomes a few Makeblock frames with their send times (robot time from
//     the start); the time estimate comes from the same model.
//   - Driver streams those frames through a link (serial, the virtual mBot,
//     or another frame transport of package link) with one frame in
//     flight, waits for each ack, reports progress, pauses with the pen
//     lifted, and re-dials a lost link (or takes up a robot that
//     restarted), resuming where the robot stopped. It times
//     each frame from when the one before it went out and closes the loop on
//     that timing: from the frames' actual send times the motion model knows
//     where the robot really got to, and each next move is aimed from there
//     at the plan. During long moves it sends keep-alive START frames
//     (PingInterval), so a link that dies silently is noticed within a
//     second.
//   - A robot shared by another computer's bridge (ws://) is not driven
//     here: that bridge runs its own Driver, and its client (package
//     bridge) sends the program's moves, not frames. Both are a Plotter,
//     which package robotconn opens from a --robot spec.
//
// Units and conventions. Paper coordinates are millimetres with the origin at
// the paper's top-left corner, x to the right and y down the page, like the
// drawing's own coordinates. Headings are degrees from +x towards +y, so a
// positive turn is clockwise seen from above (a right turn). The pen is
// assumed to sit on the axle, midway between the wheels, so a turn in place
// does not move it. Times are robot time unless a field says otherwise: a
// time scale K (for simulated robots) divides every wait by K.
package robot
