package devissuer

import (
	"fmt"
	"slices"
	"strings"
)

// Persona is a kind of user the development issuer signs tokens for.
type Persona struct {
	Name        string
	Subject     string
	Roles       []string
	Permissions []string
}

// Personas are the users of the guide: a free user, a paying customer and
// an admin.
var Personas = []Persona{
	{Name: "free", Subject: "dev|free-user", Roles: []string{}, Permissions: []string{"read:profile"}},
	{Name: "paid", Subject: "dev|paid-user", Roles: []string{"paid"}, Permissions: []string{"read:profile", "read:premium"}},
	{Name: "admin", Subject: "dev|admin-user", Roles: []string{"admin"}, Permissions: []string{"read:profile", "read:premium", "read:admin"}},
}

// LookupPersona returns the persona called name.
func LookupPersona(name string) (Persona, error) {
	i := slices.IndexFunc(Personas, func(p Persona) bool { return p.Name == name })
	if i < 0 {
		names := make([]string, len(Personas))
		for j, p := range Personas {
			names[j] = p.Name
		}
		return Persona{}, fmt.Errorf("unknown persona %q (want one of %s)", name, strings.Join(names, ", "))
	}
	return Personas[i], nil
}
