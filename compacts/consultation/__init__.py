"""The public consultation on methodology changes: members propose, anyone supports, members
comment, editors decide (and an adoption is published as a new methodology version)."""
