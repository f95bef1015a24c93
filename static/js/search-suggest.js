/* search suggestions: written with the search pipeline */
