using System.Text.RegularExpressions;
using Callscope.Dashboard.Tests.Infrastructure;
using Callscope.Server.Tests.Infrastructure;

namespace Callscope.Dashboard.Tests;

public sealed partial class SignInTests(BrowserFixture browser) : DashboardTest(browser)
{
    [Fact]
    public async Task A_member_signs_in_with_email_and_password_and_signs_out_again()
    {
        await Page.GotoAsync("/");
        await Expect(Page).ToHaveURLAsync(SignInUrl());
        await ScreenshotAsync("signin");

        await Page.GetByLabel("Email").FillAsync(CallscopeApp.AdminEmail);
        await Page.GetByLabel("Password").FillAsync("not-the-password");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("The email address or the password is not right.");

        await Page.GetByLabel("Password").FillAsync(CallscopeApp.AdminPassword);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Sessions", Exact = true })).ToBeVisibleAsync();
        await Expect(Page.GetByRole(AriaRole.Banner)).ToContainTextAsync("Test team");
        await Expect(Page.GetByRole(AriaRole.Banner).GetByRole(AriaRole.Link, new() { Name = "Admin", Exact = true })).ToBeVisibleAsync();

        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await Page.GotoAsync("/");
        await Expect(Page).ToHaveURLAsync(SignInUrl());
    }

    [GeneratedRegex(@"/signin\?ReturnUrl=%2F$")]
    private static partial Regex SignInUrl();
}
