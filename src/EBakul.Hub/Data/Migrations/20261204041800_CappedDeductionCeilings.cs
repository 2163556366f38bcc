using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EBakul.Hub.Data.Migrations
{
    /// <inheritdoc />
    public partial class CappedDeductionCeilings : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // A DEDUCT_SHORTFALL (1) correction below its shortfall was cut at the TPP ceiling, so that ceiling equals the
            // correction. Rows from before tpp_ceiling_rupiah took the employee's ceiling of today, which may differ; with
            // it, e-TPP would refuse them again (docs/etpp-push-contract.md). Rows written since already agree.
            migrationBuilder.Sql(
                "UPDATE payroll_adjustments SET tpp_ceiling_rupiah = tpp_correction_rupiah " +
                "WHERE sanction = 1 AND tpp_correction_rupiah < shortfall_rupiah AND tpp_ceiling_rupiah <> tpp_correction_rupiah;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }
}
