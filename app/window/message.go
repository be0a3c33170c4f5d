package window

// msgKind sets a message's colour and how long it stays.
type msgKind int

const (
	msgInfo msgKind = iota
	msgDone
	msgError
)

// Message lifetimes, in ticks (60 a second).
const (
	infoTicks  = 4 * 60
	errorTicks = 12 * 60
)

// message is a banner at the top of the drawing: what happened, or what
// went wrong (a file that cannot be read). A click or Esc dismisses it.
type message struct {
	kind  msgKind
	title string
	body  string
	until int // tick after which it goes away; 0: until replaced
	id    string
	// folder, for a saved file, is its folder: a click on the message
	// opens it.
	folder string
}

// messages keeps the banners on screen, newest last, at most three.
type messages struct {
	list []message
}

// show adds or, for the same id, replaces a banner.
func (m *messages) show(now int, msg message) {
	if msg.until == 0 {
		switch msg.kind {
		case msgError:
			msg.until = now + errorTicks
		default:
			msg.until = now + infoTicks
		}
	}
	if msg.id != "" {
		for i := range m.list {
			if m.list[i].id == msg.id {
				m.list[i] = msg
				return
			}
		}
	}
	m.list = append(m.list, msg)
	if len(m.list) > 3 {
		m.list = m.list[len(m.list)-3:]
	}
}

// expire drops banners whose time is up.
func (m *messages) expire(now int) {
	out := m.list[:0]
	for _, msg := range m.list {
		if msg.until < 0 || now <= msg.until {
			out = append(out, msg)
		}
	}
	m.list = out
}

// drop removes the banner with an id.
func (m *messages) drop(id string) {
	out := m.list[:0]
	for _, msg := range m.list {
		if msg.id != id {
			out = append(out, msg)
		}
	}
	m.list = out
}

// dismiss removes every banner.
func (m *messages) dismiss() { m.list = m.list[:0] }

// last returns the newest banner of a kind, if any.
func (m *messages) last(kind msgKind) (message, bool) {
	for i := len(m.list) - 1; i >= 0; i-- {
		if m.list[i].kind == kind {
			return m.list[i], true
		}
	}
	return message{}, false
}

// counting reports whether a banner on screen goes away by itself (its
// time is counted in ticks, so the window keeps ticking).
func (m *messages) counting() bool {
	for _, msg := range m.list {
		if msg.until >= 0 {
			return true
		}
	}
	return false
}
