"""The alliance itself: its principles (versioned), applications to join, memberships and what
they allow. Organisations (a person taking part alone is an organisation of kind "individual")
apply, endorse the current principles, and an editor accepts or declines; an accepted
membership is what publishing offers and needs and signing compacts require."""
