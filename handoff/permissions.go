package handoff

import (
	"fmt"

	"github.com/warmline/warmline/handoff/escalation"
)

// Permissions says what an agent may do with a case right now. The inbox
// returns it with each case so the UI renders the buttons from the same
// rules the operations enforce (PermissionsFor and the operations in ops.go
// share the check functions below).
type Permissions struct {
	See         bool `json:"see"`
	Claim       bool `json:"claim"`
	Assign      bool `json:"assign"`
	Reply       bool `json:"reply"` // also RetryReply
	Note        bool `json:"note"`
	SetPriority bool `json:"set_priority"`
	Escalate    bool `json:"escalate"`
	Release     bool `json:"release"`
	Resolve     bool `json:"resolve"`
	ReturnToBot bool `json:"return_to_bot"`
	// CompleteFollowUp: a lead may mark the case's open follow-up done.
	CompleteFollowUp bool `json:"complete_follow_up"`
}

// PermissionsFor reports what a may do with c. A permission is true exactly
// when the matching operation would change the case (a no-op such as
// claiming one's own case or releasing an unowned one is not offered).
func PermissionsFor(a Agent, c *Case) Permissions {
	if !validRole(a) || !CanSee(a, c) {
		return Permissions{}
	}
	manage := checkManage(a, c) == nil
	return Permissions{
		See:         true,
		Claim:       c.Owner != a.ID && checkClaim(a, c) == nil,
		Assign:      checkAssign(a, c) == nil,
		Reply:       checkReply(a, c) == nil,
		Note:        true,
		SetPriority: manage,
		Escalate:    checkEscalate(a, c) == nil,
		Release:     checkRelease(a, c) == nil,
		Resolve:     manage,
		ReturnToBot: manage,

		CompleteFollowUp: checkFollowUp(a, c) == nil,
	}
}

func validRole(a Agent) bool {
	return a.ID != "" && (a.Role == RoleL2 || a.Role == RoleL3 || a.Role == RoleLead)
}

// CanSee reports whether agent may read c: L2 sees L2 cases and cases
// assigned to them, L3 sees L3 and L2, a lead sees everything. Seeing a case
// is also what adding an internal note takes.
func CanSee(a Agent, c *Case) bool {
	switch a.Role {
	case RoleLead:
		return true
	case RoleL3:
		return c.Tier == TierL2 || c.Tier == TierL3 || c.Owner == a.ID
	case RoleL2:
		return c.Tier == TierL2 || c.Owner == a.ID
	}
	return false
}

// tierAllows: an agent claims cases of their tier or below; a lead any.
func tierAllows(a Agent, c *Case) bool {
	switch a.Role {
	case RoleLead:
		return true
	case RoleL3:
		return c.Tier == TierL2 || c.Tier == TierL3
	case RoleL2:
		return c.Tier == TierL2
	}
	return false
}

func ownerErr(err error, c *Case) error {
	return &OwnerError{Err: err, OwnerID: c.Owner, OwnerName: c.OwnerName}
}

// checkClaim: c is open, unowned (or already a's) and of a tier a may take.
func checkClaim(a Agent, c *Case) error {
	if !c.Open() {
		return ErrClosed
	}
	if c.Owner != "" && c.Owner != a.ID {
		return ownerErr(ErrAlreadyClaimed, c)
	}
	if !tierAllows(a, c) {
		return ErrForbidden
	}
	return nil
}

// checkAssign: a lead gives an open case to someone.
func checkAssign(a Agent, c *Case) error {
	if a.Role != RoleLead {
		return ErrForbidden
	}
	if !c.Open() {
		return ErrClosed
	}
	return nil
}

// checkReply: the agent owns the open case (ErrNotOwner naming the owner
// otherwise).
func checkReply(a Agent, c *Case) error {
	if !c.Open() {
		return ErrClosed
	}
	if c.Owner != a.ID {
		return ownerErr(ErrNotOwner, c)
	}
	return nil
}

// checkManage: the owner, or a lead, of an open case (set priority,
// resolve, return to the bot).
func checkManage(a Agent, c *Case) error {
	if !c.Open() {
		return ErrClosed
	}
	if a.Role == RoleLead || c.Owner == a.ID {
		return nil
	}
	if c.Owner != "" {
		return ownerErr(ErrNotOwner, c)
	}
	return ErrForbidden
}

// checkEscalate: manage, and the case is still L2.
func checkEscalate(a Agent, c *Case) error {
	if err := checkManage(a, c); err != nil {
		return err
	}
	if c.Tier != TierL2 {
		return fmt.Errorf("%w: case is already %s", ErrInvalid, c.Tier)
	}
	return nil
}

// checkRelease: manage, and someone owns the case (errNoChange otherwise).
func checkRelease(a Agent, c *Case) error {
	if err := checkManage(a, c); err != nil {
		return err
	}
	if c.Owner == "" {
		return errNoChange
	}
	return nil
}

// CustomerMayCancel reports whether the customer may cancel c themselves:
// L3 and P1 cases, and any case with a legal/media or security trigger,
// stay open for the people who must see them even if the customer changes
// their mind. CancelByCustomer enforces it (ErrMustStayOpen).
func CustomerMayCancel(c *Case) bool {
	if c.Tier == TierL3 || c.Priority == "P1" {
		return false
	}
	for _, t := range c.Triggers {
		if t.Kind == escalation.KindLegalMedia || t.Kind == escalation.KindSecurity {
			return false
		}
	}
	return true
}
