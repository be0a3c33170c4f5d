package robot

import "context"

// Plotter draws one Program on a robot and reports its progress: a Driver,
// which streams the program's frames over a link to a robot this computer
// drives (serial, the virtual mBot, and the frame transports to come), or a
// bridge's client (bridge.Remote), which sends the program's moves to a
// robot another computer shares. Package robotconn opens either from a
// --robot spec.
//
// Run is called once; it returns nil when the program is drawn to the end,
// or an error saying why it stopped. To stop a plotter, cancel Run's
// context: the robot stops after the motion under way, with the pen
// lifted, and Run returns the context's error. Progress, Pause and Resume
// may be called from any goroutine, before, during and after Run.
type Plotter interface {
	// Run draws the program; see above.
	Run(ctx context.Context) error
	// Progress returns the latest snapshot of the drawing.
	Progress() Progress
	// Pause asks the robot to stop after the motion under way, with the pen
	// lifted (StatePaused).
	Pause()
	// Resume continues a paused drawing.
	Resume()
}

var _ Plotter = (*Driver)(nil)
