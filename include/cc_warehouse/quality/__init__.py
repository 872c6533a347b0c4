"""Great Expectations suites and the validation gate that guards publishing."""
