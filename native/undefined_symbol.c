/* A shared library that the dynamic linker finds but cannot load: it refers to a variable nothing
 * defines. LibraryLoadingTest names it as libssl to check that the error reports the linker's cause. */
extern int ossl_tickets_missing_variable;

int ossl_tickets_read_missing(void)
{
    return ossl_tickets_missing_variable;
}
