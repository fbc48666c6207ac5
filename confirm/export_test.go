package confirm

// The key derivations, for the external tests that pin which keys a flow
// sent: they are not part of the API (a host never derives a key), but
// they never change between releases (keys_test.go pins their values).
var (
	CreateKey        = keyCreate
	CreateAttemptKey = keyCreateAttempt
	ConfirmKey       = keyConfirm
	ConfirmActionKey = keyConfirmAction
)
