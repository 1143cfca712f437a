"""What readers judge an article by: bylines, guest contributors, labels, corrections."""
